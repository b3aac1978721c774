package dev.wharf.http.server;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.codec.Http1RequestDecoder;
import java.util.ArrayDeque;

/**
 * What an event-loop thread lends to whichever of its HTTP/1.1 connections is busy: one spare
 * request decoder, one spare request queue and one spare builder for a response's header fields. A
 * connection between requests holds none of them (the decoder's line buffer, field section and the
 * previous request's remembered headers, the queue's array, the builder's: about 820 bytes), so ten
 * thousand idle keep-alive connections do not hold ten thousand of them; and a busy loop, where
 * each read ends at a request boundary and each response ends before the next begins, takes and
 * gives back the same ones, allocating none.
 *
 * <p>A decoder is given back only at rest ({@link Http1RequestDecoder#isAtRest}): nothing of a next
 * request read, not paused, not failed. What it remembers of earlier requests (the last target and
 * header fields, reused when the next request spells them the same) is immutable and carries no
 * state of a connection. A queue is given back empty, a builder once its response has ended, and
 * cleared.
 *
 * <p>One per loop thread ({@link #onLoop}); a connection looks its loop's up once, when it opens,
 * rather than through the thread local on every read and response. Loop threads only.
 */
final class LoopSpares {
  private static final ThreadLocal<LoopSpares> LOOP = ThreadLocal.withInitial(LoopSpares::new);

  private Http1RequestDecoder decoder;
  private ArrayDeque<ServerRequest> queue;
  private Headers.Builder headers;

  private LoopSpares() {}

  /** The calling thread's spares. Call on the connection's event loop. */
  static LoopSpares onLoop() {
    return LOOP.get();
  }

  /** The spare decoder if there is one for these limits, else a new one. */
  Http1RequestDecoder decoder(HttpLimits limits) {
    Http1RequestDecoder spare = decoder;
    if (spare != null && spare.limits() == limits) {
      decoder = null;
      return spare;
    }
    return new Http1RequestDecoder(limits);
  }

  /** Keeps a decoder at rest as the spare (the latest one: its limits are likeliest). */
  void give(Http1RequestDecoder atRest) {
    decoder = atRest;
  }

  /** The spare empty queue, or a new one. */
  ArrayDeque<ServerRequest> queue() {
    ArrayDeque<ServerRequest> spare = queue;
    if (spare != null) {
      queue = null;
      return spare;
    }
    return new ArrayDeque<>();
  }

  /** Keeps an empty queue as the spare. */
  void give(ArrayDeque<ServerRequest> emptyQueue) {
    queue = emptyQueue;
  }

  /** The spare empty builder, or a new one. */
  Headers.Builder headers() {
    Headers.Builder spare = headers;
    if (spare != null) {
      headers = null;
      return spare;
    }
    return Headers.builder();
  }

  /**
   * Keeps the builder of a response that has ended as the spare, cleared: the response never reads
   * or changes its fields again (each of its methods that would refuses once it is committed).
   */
  void give(Headers.Builder ofEndedResponse) {
    headers = ofEndedResponse.clear();
  }
}
