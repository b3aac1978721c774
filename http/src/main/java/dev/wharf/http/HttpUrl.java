package dev.wharf.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An absolute {@code http}, {@code https}, {@code ws} or {@code wss} URL, and the rules that go
 * with it in one place: the scheme's default port, whether it is secure, the host to connect to (an
 * IPv6 literal without its brackets), the {@code Host} header (with its brackets, and the port only
 * when it is not the default, RFC 9110 §7.2), and the request-target (path and query as they were
 * encoded, RFC 9112 §3.2.1). The HTTP client, the WebSocket client and the command line all read
 * URLs through this type.
 *
 * <p>Percent-encoding is kept as it was written: {@code /a%2Fb} is sent as {@code /a%2Fb}, not
 * decoded to {@code /a/b}. User information ({@code user:password@}) is kept for a caller that
 * turns it into credentials, as curl does, and never goes into the Host header or the target.
 *
 * <p>Immutable and thread-safe.
 */
public final class HttpUrl {
  private final URI uri;
  private final String scheme;
  private final String host;
  private final int port;

  private HttpUrl(URI uri, String scheme, String host, int port) {
    this.uri = uri;
    this.scheme = scheme;
    this.host = host;
    this.port = port;
  }

  /**
   * Parses an absolute URL.
   *
   * @throws MalformedUrlException saying what is wrong: not a URL, another scheme, no host, a port
   *     that is no number or out of range
   */
  public static HttpUrl parse(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return of(new URI(text), text);
    } catch (URISyntaxException e) {
      throw new MalformedUrlException(text, e.getReason());
    }
  }

  /**
   * The URL of {@code uri}.
   *
   * @throws MalformedUrlException as {@link #parse}
   */
  public static HttpUrl of(URI uri) {
    Objects.requireNonNull(uri, "uri");
    try {
      return of(uri, uri.toString());
    } catch (URISyntaxException e) {
      throw new MalformedUrlException(uri.toString(), e.getReason());
    }
  }

  private static HttpUrl of(URI uri, String text) throws URISyntaxException {
    if (uri.getScheme() == null) {
      throw new MalformedUrlException(text, "no scheme");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int defaultPort = defaultPort(scheme);
    if (defaultPort < 0) {
      throw new MalformedUrlException(
          text, "unsupported scheme " + scheme + " (http, https, ws and wss only)");
    }
    if (uri.getHost() == null && uri.getRawAuthority() != null) {
      // A port that is no number leaves the authority "registry based", without a host: this
      // names the real fault.
      uri = uri.parseServerAuthority();
    }
    if (uri.getHost() == null) {
      throw new MalformedUrlException(text, "no host");
    }
    // RFC 3986 §3.2.3 allows any digits; a TCP port has 16 bits.
    if (uri.getPort() > 65_535) {
      throw new MalformedUrlException(text, MalformedUrlException.PORT_OUT_OF_RANGE);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new HttpUrl(uri, scheme, host, uri.getPort() >= 0 ? uri.getPort() : defaultPort);
  }

  /** 80 for {@code http} and {@code ws}, 443 for {@code https} and {@code wss}, else -1. */
  public static int defaultPort(String scheme) {
    return switch (scheme.toLowerCase(Locale.ROOT)) {
      case "http", "ws" -> 80;
      case "https", "wss" -> 443;
      default -> -1;
    };
  }

  /** The URL as given. */
  public URI uri() {
    return uri;
  }

  /** {@code http}, {@code https}, {@code ws} or {@code wss}, in lower case. */
  public String scheme() {
    return scheme;
  }

  /** Whether the scheme runs over TLS: {@code https} or {@code wss}. */
  public boolean isSecure() {
    return scheme.equals("https") || scheme.equals("wss");
  }

  /** Whether the scheme is a WebSocket's: {@code ws} or {@code wss}. */
  public boolean isWebSocket() {
    return scheme.equals("ws") || scheme.equals("wss");
  }

  /**
   * The host to resolve and connect to, and to name in TLS: a name, or an address literal, an IPv6
   * one without its brackets ({@code ::1}).
   */
  public String host() {
    return host;
  }

  /** The port: the URL's, or the scheme's default. */
  public int port() {
    return port;
  }

  /**
   * The value of the {@code Host} header (RFC 9110 §7.2): the host as in the URL, an IPv6 literal
   * in brackets, with {@code :port} only when it is not the scheme's default, as curl and browsers
   * send it.
   */
  public String hostHeader() {
    String literal = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == defaultPort(scheme) ? literal : literal + ":" + port;
  }

  /**
   * The origin-form request-target (RFC 9112 §3.2.1): the path ({@code /} when empty) and the
   * query, encoded as they were given; no fragment.
   */
  public String target() {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  /** The user information before the host ({@code user:password}), encoded as given. */
  public Optional<String> userInfo() {
    return Optional.ofNullable(uri.getRawUserInfo());
  }

  /**
   * Whether both name the same origin (RFC 6454): scheme, host and port, so that credentials meant
   * for one are not handed to another.
   */
  public boolean sameOrigin(HttpUrl other) {
    return scheme.equals(other.scheme) && host.equalsIgnoreCase(other.host) && port == other.port;
  }

  /**
   * A URL as text with the password of its user information, if any, replaced by {@code ***}, for
   * messages and logs: works on text that does not parse too.
   */
  public static String withoutPassword(String url) {
    return url.replaceFirst("^([^:/?#]+://[^:/?#@]*):[^/?#@]*@", "$1:***@");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HttpUrl other && uri.equals(other.uri);
  }

  @Override
  public int hashCode() {
    return uri.hashCode();
  }

  @Override
  public String toString() {
    return uri.toString();
  }

  /** A URL that cannot be used; the message says which and why. */
  public static final class MalformedUrlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The {@link #reason} of a port above 65535. */
    public static final String PORT_OUT_OF_RANGE = "port out of range";

    private final String url;
    private final String reason;

    MalformedUrlException(String url, String reason) {
      super(reason + " in " + withoutPassword(url));
      this.url = url;
      this.reason = reason;
    }

    /** The URL as given. */
    public String url() {
      return url;
    }

    /** What is wrong with it, as a phrase: {@code no host}, {@code port out of range}... */
    public String reason() {
      return reason;
    }
  }
}
