/**
 * The load engine behind {@code wharf bench}: HTTP/1.1, WebSocket and TCP echo load over plain
 * sockets or TLS, closed-loop or at a constant rate with coordinated-omission correction.
 *
 * <p>{@code dev.wharf.load} is the API (a plan in, a report out); {@code dev.wharf.load.wire} the
 * allocation-free wire pieces the engine shares with the benchmarks' generators. The engine itself
 * ({@code dev.wharf.load.internal}) is not exported. HdrHistogram's jar names no module, so it is
 * required by its automatic name; it stays inside: the report hands out plain numbers.
 */
@SuppressWarnings("requires-automatic")
module dev.wharf.load {
  requires HdrHistogram;

  exports dev.wharf.load;
  exports dev.wharf.load.wire;
}
