/**
 * The {@code wharf} command line ({@link dev.wharf.cli.Main}): {@code serve}, {@code get}, {@code
 * listen}, {@code connect}, {@code echo} and {@code ws}, each a picocli command over the engine,
 * the HTTP and the WebSocket modules, with their argument parsing, TLS options and output.
 *
 * <p>Threads: a command runs on the main thread and blocks it until done. Protocol and listener
 * code runs on the event loops; stdin is read on a {@code wharf-stdin} thread; Ctrl-C and SIGTERM
 * run shutdown hooks. docs/CONCURRENCY.md lists each command's threads and what guards their state.
 */
package dev.wharf.cli;
