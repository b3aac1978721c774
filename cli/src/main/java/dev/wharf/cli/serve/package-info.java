/**
 * {@code wharf serve}: a static file server (uploads, listings, ranges, CORS, basic auth, TLS, a
 * WebSocket echo endpoint) over the HTTP module's {@code HttpServer}, as {@code python3 -m
 * http.server} is used.
 *
 * <p>Threads: the command parses its options and starts the server on the main thread, which then
 * waits for Ctrl-C or SIGTERM; requests are served by the server's loops and handler threads (see
 * docs/CONCURRENCY.md); the graceful stop runs in a shutdown hook, and {@link
 * dev.wharf.cli.serve.CtrlCTwice}'s handler on the JVM's signal thread.
 */
package dev.wharf.cli.serve;
