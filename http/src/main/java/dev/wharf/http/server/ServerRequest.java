package dev.wharf.http.server;

import dev.wharf.core.Pipe;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.RequestHead;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One received request: its head, its body and who sent it. The body is either whole (at most the
 * configured limit), or, on a {@linkplain HttpServer.Builder#routeStreaming streaming route}, a
 * stream read as it arrives. Any thread.
 */
public final class ServerRequest {
  private final RequestHead head;
  private final byte[] body;
  private final Pipe stream;
  private final SocketAddress remoteAddress;
  private final SocketAddress localAddress;
  private final TlsSession tls;

  /**
   * Set on the loop once the body has ended, before a streamed body's reader sees its end; null for
   * none. No initial value: a volatile store per request, for the empty trailers nearly every
   * request has, showed in the profile.
   */
  private volatile Headers trailers;

  public ServerRequest(
      RequestHead head, byte[] body, SocketAddress remoteAddress, SocketAddress localAddress) {
    this(head, body, null, remoteAddress, localAddress, null);
  }

  ServerRequest(
      RequestHead head,
      byte[] body,
      Pipe stream,
      SocketAddress remoteAddress,
      SocketAddress localAddress,
      TlsSession tls) {
    this.head = head;
    this.body = body;
    this.stream = stream;
    this.remoteAddress = remoteAddress;
    this.localAddress = localAddress;
    this.tls = tls;
  }

  public RequestHead head() {
    return head;
  }

  public String method() {
    return head.method();
  }

  /** The request target as sent ({@code /a/b?x=1}). */
  public String target() {
    return head.target();
  }

  /** The target's path, still percent-encoded, without the query. */
  public String path() {
    String target = head.target();
    int query = target.indexOf('?');
    return query < 0 ? target : target.substring(0, query);
  }

  /** The target's query, still percent-encoded, without the {@code ?}. */
  public Optional<String> query() {
    String target = head.target();
    int query = target.indexOf('?');
    return query < 0 ? Optional.empty() : Optional.of(target.substring(query + 1));
  }

  public String version() {
    return head.version();
  }

  public Headers headers() {
    return head.headers();
  }

  public Optional<String> header(String name) {
    return head.headers().first(name);
  }

  /**
   * The body's bytes (empty without a body).
   *
   * @throws IllegalStateException on a streaming route: read {@link #bodyStream()} instead
   */
  public byte[] body() {
    return wholeBody().clone();
  }

  public int bodyLength() {
    return wholeBody().length;
  }

  public String bodyAsString() {
    return new String(wholeBody(), StandardCharsets.UTF_8);
  }

  /**
   * The body as a stream. On a streaming route the bytes come as the client sends them and a read
   * waits for more (so call it from a blocking handler); a client waiting on {@code Expect:
   * 100-continue} is told to go ahead on the first read. Reading fails with an {@link
   * java.io.IOException} if the client breaks off or sends too slowly. Closing it early discards
   * the rest, and the connection closes after the response.
   */
  public InputStream bodyStream() {
    return stream != null ? stream : new ByteArrayInputStream(body);
  }

  /**
   * The trailer fields the client sent after the body (RFC 9110 §6.5): a chunked body's trailer
   * section on HTTP/1.1, a HEADERS frame ending the stream on HTTP/2; empty when none came. On a
   * streaming route they are known once {@link #bodyStream()} has been read to its end.
   */
  public Headers trailers() {
    Headers fields = trailers;
    return fields == null ? Headers.EMPTY : fields;
  }

  /** The body ended with these trailers; on the loop, before a streamed body is finished. */
  void trailers(Headers fields) {
    this.trailers = fields;
  }

  /** True on a streaming route, where the body has to be read from {@link #bodyStream()}. */
  public boolean isBodyStreamed() {
    return stream != null;
  }

  /** False while a streamed body is still arriving. */
  boolean bodyComplete() {
    return stream == null || stream.isComplete();
  }

  Pipe stream() {
    return stream;
  }

  private byte[] wholeBody() {
    if (stream != null) {
      throw new IllegalStateException("the body of " + this + " is streamed: use bodyStream()");
    }
    return body;
  }

  public SocketAddress remoteAddress() {
    return remoteAddress;
  }

  public SocketAddress localAddress() {
    return localAddress;
  }

  /** True when the request came over TLS (HTTPS). */
  public boolean isSecure() {
    return tls != null;
  }

  /**
   * What the connection's TLS handshake agreed on, when the request came over TLS: version, cipher
   * suite, ALPN, and the client's certificate when the server asked for one.
   */
  public Optional<TlsSession> tlsSession() {
    return Optional.ofNullable(tls);
  }

  @Override
  public String toString() {
    return head.method() + " " + head.target() + " " + head.version();
  }
}
