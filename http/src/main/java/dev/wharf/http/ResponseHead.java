package dev.wharf.http;

/**
 * A status line and its header fields.
 *
 * @param version {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
 * @param status the three-digit status code
 * @param reason the reason phrase, possibly empty
 * @param headers the header fields
 */
public record ResponseHead(String version, int status, String reason, Headers headers) {

  /** Whether the server lets the connection carry another request (RFC 9112 §9.3). */
  public boolean keepAlive() {
    if (version.equals("HTTP/1.0")) {
      return headers.hasToken("Connection", "keep-alive");
    }
    return !headers.hasToken("Connection", "close");
  }
}
