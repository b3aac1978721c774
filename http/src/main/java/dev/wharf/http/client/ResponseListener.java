package dev.wharf.http.client;

import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.ResponseHead;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Receives a response as it arrives, for bodies too large to hold (a download). Called on the
 * connection's event loop, in order: {@link #connected}, {@link #tlsEstablished} and {@link
 * #requestHead} (for a tool that tells what happens, as curl -v), {@link #head}, {@link #body}...,
 * then exactly one of {@link #complete} or {@link #failed}. Must not block.
 */
public interface ResponseListener {
  /**
   * The request is about to go on this connection: a new one, or with {@code reused} one kept alive
   * from an earlier exchange.
   */
  default void connected(SocketAddress local, SocketAddress remote, boolean reused) {}

  /** A new connection's TLS handshake agreed on this; after {@link #connected}. */
  default void tlsEstablished(TlsSession session) {}

  /** The request head exactly as written to the connection, lent for the call. */
  default void requestHead(ByteBuffer head) {}

  /** A redirect is being followed; the next head is the new location's. */
  default void redirected(java.net.URI from, java.net.URI to, int status) {}

  void head(ResponseHead head);

  /** Part of the body, lent for the call. */
  void body(ByteBuffer chunk);

  void complete(ExchangeTimings timings);

  void failed(Throwable error);
}
