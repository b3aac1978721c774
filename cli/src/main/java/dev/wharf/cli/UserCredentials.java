package dev.wharf.cli;

import dev.wharf.http.HttpUrl;
import dev.wharf.http.files.BasicAuth;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Basic credentials from curl's two places for them, {@code -u USER:PASSWORD} (which wins) and the
 * URL's {@code user:password@}; and the URL without them, which is the one sent and shown, so that
 * no message repeats a password.
 */
public final class UserCredentials {
  private UserCredentials() {}

  /** The credentials to send, if any; the messages of what it throws hold no password. */
  public static Optional<BasicAuth.Credentials> of(URI uri, String userOption) {
    if (userOption != null) {
      if (userOption.indexOf(':') < 0) {
        throw new IllegalArgumentException(
            "-u takes USER:PASSWORD (wharf does not prompt for the password)");
      }
      return Optional.of(parse(userOption));
    }
    String raw = uri.getRawUserInfo();
    if (raw == null) {
      return Optional.empty();
    }
    int colon = raw.indexOf(':');
    // As curl: user@ alone sends an empty password; %XX escapes are decoded in both parts.
    String user = decode(colon < 0 ? raw : raw.substring(0, colon));
    String password = colon < 0 ? "" : decode(raw.substring(colon + 1));
    return Optional.of(parse(user + ":" + password));
  }

  private static BasicAuth.Credentials parse(String userColonPassword) {
    try {
      return BasicAuth.Credentials.parse(userColonPassword);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad credentials: " + e.getMessage(), e);
    }
  }

  /** The URL without its user information. */
  public static URI withoutUserInfo(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri;
    }
    try {
      String authority = uri.getRawAuthority();
      String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
      return new URI(
          uri.getScheme()
              + "://"
              + hostPort
              + (uri.getRawPath() == null ? "" : uri.getRawPath())
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
              + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed URL after its user information", e);
    }
  }

  /** A URL as text, with any password replaced, for messages about a URL that did not parse. */
  public static String redact(String url) {
    return HttpUrl.withoutPassword(url);
  }

  /**
   * A header line as -v shows it: the credentials of an Authorization or Proxy-Authorization field
   * hidden, the scheme kept.
   */
  public static String hideInHeaderLine(String line) {
    int colon = line.indexOf(':');
    String name = colon < 0 ? "" : line.substring(0, colon).strip();
    if (!name.equalsIgnoreCase("Authorization") && !name.equalsIgnoreCase("Proxy-Authorization")) {
      return line;
    }
    String value = line.substring(colon + 1).strip();
    int space = value.indexOf(' ');
    return line.substring(0, colon + 1)
        + " "
        + (space < 0 ? "" : value.substring(0, space + 1))
        + "[hidden]";
  }

  private static String decode(String text) {
    var bytes = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length()) {
        bytes.write(HexFormat.fromHexDigits(text, i + 1, i + 3));
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
