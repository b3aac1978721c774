package dev.wharf.http.server;

import dev.wharf.http.HttpLimits;
import dev.wharf.http.codec.Http1RequestDecoder;
import java.util.ArrayDeque;

/**
 * What an event-loop thread lends to whichever of its HTTP/1.1 connections is busy: one spare
 * request decoder and one spare request queue. A connection between requests holds neither (the
 * decoder's line buffer, field section and the previous request's remembered headers, and the
 * queue's array: about 750 bytes), so ten thousand idle keep-alive connections do not hold ten
 * thousand of them; and a busy loop, where each read ends at a request boundary and each response
 * empties the queue, takes and gives back the same ones, allocating none.
 *
 * <p>A decoder is given back only at rest ({@link Http1RequestDecoder#isAtRest}): nothing of a next
 * request read, not paused, not failed. What it remembers of earlier requests (the last target and
 * header fields, reused when the next request spells them the same) is immutable and carries no
 * state of a connection. A queue is given back empty. Loop threads only: each has its own spares.
 */
final class LoopSpares {
  private static final ThreadLocal<Http1RequestDecoder> DECODER = new ThreadLocal<>();
  private static final ThreadLocal<ArrayDeque<ServerRequest>> QUEUE = new ThreadLocal<>();

  private LoopSpares() {}

  /** The thread's spare decoder if it has one for these limits, else a new one. */
  static Http1RequestDecoder decoder(HttpLimits limits) {
    Http1RequestDecoder spare = DECODER.get();
    if (spare != null && spare.limits() == limits) {
      DECODER.set(null);
      return spare;
    }
    return new Http1RequestDecoder(limits);
  }

  /** Keeps a decoder at rest as the thread's spare (the latest one: its limits are likeliest). */
  static void give(Http1RequestDecoder decoder) {
    DECODER.set(decoder);
  }

  /** The thread's spare empty queue, or a new one. */
  static ArrayDeque<ServerRequest> queue() {
    ArrayDeque<ServerRequest> spare = QUEUE.get();
    if (spare != null) {
      QUEUE.set(null);
      return spare;
    }
    return new ArrayDeque<>();
  }

  /** Keeps an empty queue as the thread's spare. */
  static void give(ArrayDeque<ServerRequest> emptyQueue) {
    QUEUE.set(emptyQueue);
  }
}
