package dev.wharf.http.client;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import java.net.URI;
import java.time.Duration;
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

  /**
   * Bodies larger than this (or of unknown length) go after an {@code Expect: 100-continue}, as
   * curl sends them: a server about to refuse the request says so before a large upload.
   */
  public static final long EXPECT_CONTINUE_THRESHOLD = 1 << 20;

  /**
   * How long a client waits for {@code 100 Continue} before it sends the body anyway (curl's {@code
   * --expect100-timeout}): RFC 9110 §10.1.1 lets a client not wait forever, since servers that
   * ignore the field never answer it.
   */
  public static final Duration EXPECT_CONTINUE_TIMEOUT = Duration.ofSeconds(1);

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

  /** Whether the request asks for {@code 100 Continue} before its body (RFC 9110 §10.1.1). */
  public boolean expectsContinue() {
    return headers.hasToken("Expect", "100-continue");
  }

  /**
   * The request as the client sends it: with {@code Expect: 100-continue} added when the body is
   * larger than {@link #EXPECT_CONTINUE_THRESHOLD} or of unknown length, and the request sets no
   * Expect of its own.
   */
  public ClientRequest withExpectContinueIfLarge() {
    long length = body.length();
    if (headers.contains("Expect") || (length >= 0 && length <= EXPECT_CONTINUE_THRESHOLD)) {
      return this;
    }
    var fields = Headers.builder();
    headers.fields().forEach(f -> fields.add(f.name(), f.value()));
    return withHeaders(fields.add("Expect", "100-continue").build());
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
