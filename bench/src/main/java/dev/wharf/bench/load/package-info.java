/**
 * The one load generator core behind {@code dev.wharf.bench.LoadGen} (TCP echo), {@code
 * dev.wharf.bench.ws.WsLoadGen} (WebSocket) and {@code dev.wharf.bench.tls.TlsLoadGen} (TLS): the
 * options they share ({@link dev.wharf.bench.load.LoadOptions}), the selector loop with its timed
 * windows, counters and RESULT lines ({@link dev.wharf.bench.load.LoadLoop}), K messages in flight
 * per connection ({@link dev.wharf.bench.load.EchoConnection}, on a plain socket {@link
 * dev.wharf.bench.load.SocketEchoConnection}), C short connections at a time ({@link
 * dev.wharf.bench.load.Churn}, {@link dev.wharf.bench.load.ConnectingEndpoint}), the checked byte
 * pattern ({@code dev.wharf.load.wire.PatternStream}, in the load module, shared with {@code wharf
 * bench}) and held idle connections ({@link dev.wharf.bench.load.IdleConnections}). A generator is
 * only its framing: what one message is on the wire and when it has come back whole. Not part of
 * the library.
 *
 * <p>Threads: a generator is one platform thread with one selector; nothing here is thread-safe
 * ({@link dev.wharf.bench.load.IdleConnections} alone starts a daemon thread, which only waits for
 * standard input to close).
 */
package dev.wharf.bench.load;
