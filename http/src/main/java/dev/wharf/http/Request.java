package dev.wharf.http;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One received request: its head, its whole body (at most the configured limit) and who sent it.
 * Immutable; any thread.
 */
public final class Request {
  private final RequestHead head;
  private final byte[] body;
  private final SocketAddress remoteAddress;
  private final SocketAddress localAddress;

  public Request(
      RequestHead head, byte[] body, SocketAddress remoteAddress, SocketAddress localAddress) {
    this.head = head;
    this.body = body;
    this.remoteAddress = remoteAddress;
    this.localAddress = localAddress;
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

  /** The body's bytes (empty without a body). */
  public byte[] body() {
    return body.clone();
  }

  public int bodyLength() {
    return body.length;
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  public SocketAddress remoteAddress() {
    return remoteAddress;
  }

  public SocketAddress localAddress() {
    return localAddress;
  }

  @Override
  public String toString() {
    return head.method() + " " + head.target() + " " + head.version();
  }
}
