/**
 * The load engine behind {@code wharf bench}: HTTP/1.1, HTTP/2, WebSocket and TCP echo load over
 * plain sockets or TLS, closed-loop or at a constant rate with coordinated-omission correction.
 *
 * <p>HTTP/2 load reads the server's frames with the HTTP module's frame and HPACK decoders. {@code
 * dev.wharf.load} is the API (a plan in, a report out); {@code dev.wharf.load.wire} the
 * allocation-free wire pieces the engine shares with the benchmarks' generators. The engine itself
 * ({@code dev.wharf.load.internal}) is not exported. HdrHistogram's jar names no module, so it is
 * required by its automatic name; it stays inside: the report hands out plain numbers.
 */
@SuppressWarnings("requires-automatic")
module dev.wharf.load {
  requires HdrHistogram;
  requires java.management; // each worker thread's CPU time, for the report
  requires dev.wharf.http; // HTTP/2's frame and HPACK codecs, for --http2

  exports dev.wharf.load;
  exports dev.wharf.load.wire;
}
