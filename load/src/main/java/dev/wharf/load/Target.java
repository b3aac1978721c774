package dev.wharf.load;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where the load goes: a scheme that says what to send, a host, a port and (for HTTP and WebSocket)
 * a request target. Immutable.
 */
public record Target(Target.Scheme scheme, String host, int port, String path) {

  /** What one request is: an HTTP exchange, a WebSocket echo, or raw bytes echoed. */
  public enum Scheme {
    HTTP(80, false),
    HTTPS(443, true),
    WS(80, false),
    WSS(443, true),
    TCP(-1, false);

    private final int defaultPort;
    private final boolean tls;

    Scheme(int defaultPort, boolean tls) {
      this.defaultPort = defaultPort;
      this.tls = tls;
    }

    public boolean isTls() {
      return tls;
    }

    public boolean isHttp() {
      return this == HTTP || this == HTTPS;
    }

    public boolean isWebSocket() {
      return this == WS || this == WSS;
    }

    /** The scheme as written in a URL. */
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Target {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
    }
  }

  /**
   * Reads {@code http://host[:port]/path}, {@code https://}, {@code ws://}, {@code wss://} or
   * {@code tcp://host:port}; throws {@link IllegalArgumentException} with a one-line reason.
   */
  public static Target parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + url);
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "expected http://, https://, ws://, wss:// or tcp://HOST:PORT, got " + url);
    }
    Scheme scheme;
    try {
      scheme = Scheme.valueOf(uri.getScheme().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unsupported scheme " + uri.getScheme() + ": use http, https, ws, wss or tcp");
    }
    int port = uri.getPort() == -1 ? scheme.defaultPort : uri.getPort();
    if (port == -1) {
      throw new IllegalArgumentException("tcp:// needs a port: tcp://HOST:PORT");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Target(scheme, host, port, path);
  }

  /** The Host header's value: the port only when it is not the scheme's default. */
  public String authority() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == scheme.defaultPort ? h : h + ":" + port;
  }

  @Override
  public String toString() {
    return scheme.text() + "://" + authority() + (scheme == Scheme.TCP ? "" : path);
  }
}
