/**
 * The engine under {@link dev.wharf.load.LoadTest}: {@link dev.wharf.load.internal.Worker}s, each
 * one platform thread with one selector and its share of the {@link
 * dev.wharf.load.internal.Connection}s; a connection is a socket (TLS on the JDK's {@code
 * SSLEngine} when asked, {@link dev.wharf.load.internal.TlsLink}), the times its requests in flight
 * were due, and an {@link dev.wharf.load.internal.Exchange} that knows what one request is on the
 * wire (HTTP, WebSocket, TCP echo). Nothing is allocated per request: requests are slices of one
 * shared buffer, responses are parsed in place in the worker's one read buffer, latencies go into
 * the worker's HdrHistogram.
 *
 * <p>Threads: a worker's connections, exchanges and counters belong to its thread alone; it
 * publishes running totals through volatile fields that {@link dev.wharf.load.LoadTest} reads, and
 * stops when the run's time or request budget is spent or the run is stopped.
 */
package dev.wharf.load.internal;
