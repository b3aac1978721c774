/**
 * TLS benchmarks: Wharf's TLS server against Netty's (both on the JDK's engine), driven by {@code
 * TlsLoadGen} (the {@code dev.wharf.bench.load} core with {@code TlsClientChannel} as framing). Not
 * part of the library.
 *
 * <p>Threads: each server runs as its own process on its own event loops; the load generator is one
 * platform thread with one selector; the runner is a program on its {@code main} thread.
 */
package dev.wharf.bench.tls;
