package dev.wharf.cli;

import dev.wharf.http.files.BasicAuth;
import java.net.URI;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code -u USER:PASSWORD} option of {@code get} and {@code ws} (a picocli mixin), as curl has
 * it: what it gives wins over the URL's {@code user:password@}. Parsing only; one thread.
 */
public final class UserOption {
  @Option(
      names = {"-u", "--user"},
      paramLabel = "USER:PASSWORD",
      description = "Send Basic credentials (else those of the URL's user:password@, if any).")
  String user;

  public boolean isGiven() {
    return user != null;
  }

  /** The credentials to send to {@code uri}, if any: see {@link UserCredentials#of}. */
  public Optional<BasicAuth.Credentials> credentials(URI uri) {
    return UserCredentials.of(uri, user);
  }
}
