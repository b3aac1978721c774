package dev.wharf.cli;

import dev.wharf.http.HttpUrl;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * URLs as people type them after {@code get} and {@code ws}: the scheme may be left out, as curl
 * allows ({@code localhost:8000/x}), and anything a socket could not be opened for is refused here,
 * before a thread starts, with curl's exit code 3.
 */
public final class Urls {
  private Urls() {}

  /**
   * Parses {@code text}, with {@code assumedScheme} when it names none.
   *
   * @throws Malformed with a message fit for the user
   */
  public static URI parse(String text, String assumedScheme) {
    // "localhost:8000" would parse as the scheme "localhost": only "://" marks a scheme here.
    String withScheme = text.contains("://") ? text : assumedScheme + "://" + text;
    URI uri;
    try {
      uri = new URI(withScheme);
    } catch (URISyntaxException e) {
      throw new Malformed(text, e.getReason());
    }
    if (uri.getScheme() != null && HttpUrl.defaultPort(uri.getScheme()) < 0) {
      // Another scheme is for the command to refuse, as curl's "protocol not supported".
      return uri;
    }
    try {
      return HttpUrl.of(uri).uri();
    } catch (HttpUrl.MalformedUrlException e) {
      boolean port = e.reason().equals(HttpUrl.MalformedUrlException.PORT_OUT_OF_RANGE);
      // The command line's words for a port, as for HOST:PORT arguments.
      throw new Malformed(text, port ? "port must be 0-65535" : e.reason());
    }
  }

  /** A URL that cannot be used: a mistake on the command line, exit code 3 as curl's. */
  public static final class Malformed extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Malformed(String url, String reason) {
      super("malformed URL '" + UserCredentials.redact(url) + "': " + reason);
    }
  }
}
