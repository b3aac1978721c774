package dev.wharf.http;

/**
 * A request line and its header fields.
 *
 * @param method the method token, case-sensitive (RFC 9110 §9.1)
 * @param target the request target as sent (origin-form, absolute-form, authority-form or *)
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers the header fields
 */
public record RequestHead(String method, String target, String version, Headers headers) {

  /** Whether the connection may carry another request after this one (RFC 9112 §9.3). */
  public boolean keepAlive() {
    if (version.equals("HTTP/1.0")) {
      return headers.hasToken("Connection", "keep-alive");
    }
    return !headers.hasToken("Connection", "close");
  }

  /**
   * Whether the client asks to switch protocols (RFC 9110 §7.8): an Upgrade field named in
   * Connection. What follows such a request on the wire may not be HTTP.
   */
  public boolean isUpgradeRequest() {
    return headers.contains("Upgrade") && headers.hasToken("Connection", "upgrade");
  }
}
