/**
 * HTTP benchmarks: Wharf's plaintext and static-file servers against Netty's and nginx's, driven by
 * {@code wrk}; and what every benchmark server main shares: {@link dev.wharf.bench.http.ServerArgs}
 * and {@link dev.wharf.bench.http.ServerControl} (flags, READY, ALLOC), {@link
 * dev.wharf.bench.http.NettyServers} and {@link dev.wharf.bench.http.WharfServers} (binding). Not
 * part of the library.
 *
 * <p>Threads: each server runs as its own process on its own event loops; the runner is a program
 * on its {@code main} thread.
 */
package dev.wharf.bench.http;
