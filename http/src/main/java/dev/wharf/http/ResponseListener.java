package dev.wharf.http;

import java.nio.ByteBuffer;

/**
 * Receives a response as it arrives, for bodies too large to hold (a download). Called on the
 * connection's event loop, in order: {@link #head}, {@link #body}..., then exactly one of {@link
 * #complete} or {@link #failed}. Must not block.
 */
public interface ResponseListener {
  /** A redirect is being followed; the next head is the new location's. */
  default void redirected(java.net.URI from, java.net.URI to, int status) {}

  void head(ResponseHead head);

  /** Part of the body, lent for the call. */
  void body(ByteBuffer chunk);

  void complete(ExchangeTimings timings);

  void failed(Throwable error);
}
