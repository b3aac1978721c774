package dev.wharf.http.client;

import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.ResponseHead;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Receives a response as it arrives, for bodies too large to hold (a download). Called on the
 * connection's event loop, in order: {@link #connected}, {@link #tlsEstablished}, {@link
 * #streamOpened} and {@link #requestHead} (for a tool that tells what happens, as curl -v), {@link
 * #head}, {@link #body}..., {@link #trailers} if the response has any, then exactly one of {@link
 * #complete} or {@link #failed}. Must not block.
 */
public interface ResponseListener {
  /**
   * The request is about to go on this connection: a new one, or with {@code reused} one kept alive
   * from an earlier exchange.
   */
  default void connected(SocketAddress local, SocketAddress remote, boolean reused) {}

  /** A new connection's TLS handshake agreed on this; after {@link #connected}. */
  default void tlsEstablished(TlsSession session) {}

  /**
   * The request goes out in {@code version} ({@code HTTP/1.1} or {@code HTTP/2}), on HTTP/2 stream
   * {@code streamId} (0 for HTTP/1.1, which has no streams); after {@link #tlsEstablished}.
   */
  default void streamOpened(String version, int streamId) {}

  /**
   * The request head as written to the connection, lent for the call: HTTP/1.1's bytes, or for
   * HTTP/2 its header list shown as HTTP/1.1 lines (pseudo-header fields as the request line and
   * Host), as curl -v shows it.
   */
  default void requestHead(ByteBuffer head) {}

  /** A redirect is being followed; the next head is the new location's. */
  default void redirected(java.net.URI from, java.net.URI to, int status) {}

  void head(ResponseHead head);

  /** Part of the body, lent for the call. */
  void body(ByteBuffer chunk);

  /** The trailer fields after the body (HTTP/1.1 chunked trailers, HTTP/2 trailing HEADERS). */
  default void trailers(Headers trailers) {}

  void complete(ExchangeTimings timings);

  void failed(Throwable error);
}
