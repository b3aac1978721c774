/**
 * JMH microbenchmarks of the engine's hot structures (timer wheel, buffer pool, WebSocket masking).
 * Not part of the library.
 *
 * <p>Threads: JMH's; each benchmark state is used by one thread.
 */
package dev.wharf.bench.jmh;
