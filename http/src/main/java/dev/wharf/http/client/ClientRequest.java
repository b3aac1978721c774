package dev.wharf.http.client;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import java.net.URI;
import java.util.Objects;

/**
 * A request for {@link HttpClient}: method, absolute http or https URL, header fields and body.
 *
 * @param method the method token
 * @param uri an absolute {@code http://} or {@code https://} URI
 * @param headers fields to send besides Host, Content-Length and the client's defaults
 * @param body the content ({@link RequestBody#EMPTY} for none)
 */
public record ClientRequest(String method, URI uri, Headers headers, RequestBody body) {

  public ClientRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    if (uri.getHost() == null || uri.getScheme() == null) {
      throw new IllegalArgumentException("not an absolute URL: " + uri);
    }
  }

  /** A request whose content is these bytes (empty for none). */
  public ClientRequest(String method, URI uri, Headers headers, byte[] body) {
    this(method, uri, headers, RequestBody.of(body));
  }

  public static ClientRequest get(URI uri) {
    return new ClientRequest("GET", uri, Headers.EMPTY, RequestBody.EMPTY);
  }

  /** The same request to another URI (for a redirect). */
  public ClientRequest withUri(URI other) {
    return new ClientRequest(method, other, headers, body);
  }

  /** The same request with other header fields. */
  public ClientRequest withHeaders(Headers other) {
    return new ClientRequest(method, uri, other, body);
  }

  /**
   * The URL with its rules: scheme, host, port, Host header, target.
   *
   * @throws HttpUrl.MalformedUrlException when the URI names another scheme or a port out of range
   */
  public HttpUrl url() {
    return HttpUrl.of(uri);
  }

  /** The origin-form target: path and query, as {@link HttpUrl#target}. */
  public String target() {
    return url().target();
  }

  /** The port, with the scheme's default when the URI has none, as {@link HttpUrl#port}. */
  public int port() {
    return url().port();
  }
}
