package dev.wharf.http.files;

import dev.wharf.http.server.Handler;
import dev.wharf.http.server.LoopFirstHandler;
import dev.wharf.http.server.ServerRequest;
import dev.wharf.http.server.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * HTTP Basic authentication (RFC 7617) in front of another handler: a request whose {@code
 * Authorization} header carries the right user and password goes through; any other, including one
 * with a malformed header, gets 401 with a {@code WWW-Authenticate} challenge.
 *
 * <pre>{@code
 * Handler guarded = BasicAuth.protect("wharf", new BasicAuth.Credentials("ann", "s3cret"), files);
 * }</pre>
 *
 * <p>The password goes over the wire merely base64-encoded: use it over TLS or on a trusted
 * network. Immutable and thread-safe.
 */
public final class BasicAuth implements LoopFirstHandler {

  /**
   * One user's credentials.
   *
   * @param user the user-id; not empty, no colon (RFC 7617 §2), no control characters
   * @param password the password; may hold colons, no control characters
   */
  public record Credentials(String user, String password) {
    public Credentials {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.isEmpty() || user.indexOf(':') >= 0 || hasControl(user)) {
        throw new IllegalArgumentException(
            "the user name must be non-empty, without a colon or control characters");
      }
      if (hasControl(password)) {
        throw new IllegalArgumentException("the password must not hold control characters");
      }
    }

    /**
     * Splits {@code USER:PASSWORD} at its first colon. The message of the exception it throws never
     * repeats the value, which holds a password.
     */
    public static Credentials parse(String userColonPassword) {
      int colon = userColonPassword.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("credentials are USER:PASSWORD; found no colon");
      }
      return new Credentials(
          userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
    }

    /** The value of an Authorization field that sends these credentials (RFC 7617 §2). */
    public String authorization() {
      return "Basic "
          + Base64.getEncoder()
              .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Never shows the password, so the record can be logged. */
    @Override
    public String toString() {
      return "Credentials[user=" + user + ", password=***]";
    }
  }

  private final Handler next;
  private final String challenge;
  private final byte[] expectedDigest;

  private BasicAuth(String realm, Credentials credentials, Handler next) {
    Objects.requireNonNull(realm, "realm");
    if (hasControl(realm) || realm.indexOf('"') >= 0 || realm.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("a realm holds no quotes, backslashes or controls");
    }
    this.next = Objects.requireNonNull(next, "handler");
    // RFC 7617 §2.1: charset="UTF-8" tells the client how we read user and password.
    this.challenge = "Basic realm=\"" + realm + "\", charset=\"UTF-8\"";
    this.expectedDigest =
        sha256(
            (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
  }

  /** A handler that lets through to {@code handler} only requests with these credentials. */
  public static Handler protect(String realm, Credentials credentials, Handler handler) {
    return new BasicAuth(realm, credentials, handler);
  }

  /**
   * On the loop: a 401 at once (the check blocks on nothing), and for a request with the right
   * credentials whatever the protected handler answers without blocking, if it is a {@link
   * LoopFirstHandler} (a cached static file), so a password costs no thread hand-off.
   */
  @Override
  public boolean handleWithoutBlocking(ServerRequest request, ServerResponse response)
      throws Exception {
    if (!authorized(request.headers().all("Authorization"))) {
      refuse(response);
      return true;
    }
    return next instanceof LoopFirstHandler first && first.handleWithoutBlocking(request, response);
  }

  @Override
  public void handle(ServerRequest request, ServerResponse response) throws Exception {
    if (authorized(request.headers().all("Authorization"))) {
      next.handle(request, response);
      return;
    }
    refuse(response);
  }

  private void refuse(ServerResponse response) {
    response.header("WWW-Authenticate", challenge);
    response.sendError(401, "authentication required");
  }

  private boolean authorized(List<String> values) {
    if (values.size() != 1) {
      return false; // None, or several that could be read two ways.
    }
    String value = values.getFirst().strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Basic")) {
      return false;
    }
    byte[] userPass;
    try {
      userPass = Base64.getDecoder().decode(value.substring(space + 1).strip());
    } catch (IllegalArgumentException e) {
      return false; // Not base64: malformed, answered like wrong credentials.
    }
    // Digests of equal length, compared in constant time: the time taken tells an attacker
    // neither how much of a guess was right nor how long the password is.
    return MessageDigest.isEqual(expectedDigest, sha256(userPass));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static boolean hasControl(String text) {
    return text.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }
}
