package dev.wharf.cli;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * URLs as people type them after {@code get} and {@code ws}: the scheme may be left out, as curl
 * allows ({@code localhost:8000/x}), and anything a socket could not be opened for is refused here,
 * before a thread starts, with curl's exit code 3.
 */
final class Urls {
  private Urls() {}

  /**
   * Parses {@code text}, with {@code assumedScheme} when it names none.
   *
   * @throws Malformed with a message fit for the user
   */
  static URI parse(String text, String assumedScheme) {
    // "localhost:8000" would parse as the scheme "localhost": only "://" marks a scheme here.
    String withScheme = text.contains("://") ? text : assumedScheme + "://" + text;
    URI uri;
    try {
      uri = new URI(withScheme);
      if (uri.getRawAuthority() != null) {
        // A port that is no number leaves the authority "registry based", without a host: this
        // names the real fault.
        uri = uri.parseServerAuthority();
      }
    } catch (URISyntaxException e) {
      throw new Malformed(text, e.getReason());
    }
    if (uri.getHost() == null) {
      throw new Malformed(text, "no host");
    }
    // RFC 3986 §3.2.3 allows any digits; a TCP port has 16 bits.
    if (uri.getPort() > 65_535) {
      throw new Malformed(text, "port must be 0-65535");
    }
    return uri;
  }

  /** A URL that cannot be used: a mistake on the command line, exit code 3 as curl's. */
  static final class Malformed extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Malformed(String url, String reason) {
      super("malformed URL '" + UserCredentials.redact(url) + "': " + reason);
    }
  }
}
