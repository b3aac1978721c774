package dev.wharf.http.client;

import dev.wharf.http.Headers;
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

  /** The origin-form target: path and query. */
  public String target() {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  /** The port, with the scheme's default when the URI has none. */
  public int port() {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }
}
