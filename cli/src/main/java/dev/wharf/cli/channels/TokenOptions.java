package dev.wharf.cli.channels;

import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** {@code wharf sub} and {@code pub}'s token options (a picocli mixin): the JWT to connect with. */
public final class TokenOptions {

  @Option(
      names = "--token",
      paramLabel = "JWT",
      description =
          "Connect with this token (servers with --jwt-secret-env or --jwt-public-key). Other"
              + " users can read it in the process list: prefer --token-env.")
  String token;

  @Option(
      names = "--token-env",
      paramLabel = "VAR",
      description = "Connect with the token in environment variable VAR.")
  String tokenEnv;

  private Function<String, String> environment = System::getenv;

  TokenOptions withEnvironment(Function<String, String> lookup) {
    this.environment = lookup;
    return this;
  }

  /** The token, if one was given; throws {@link IllegalArgumentException} if it cannot be had. */
  Optional<String> token() {
    if (token != null && tokenEnv != null) {
      throw new IllegalArgumentException("give --token or --token-env, not both");
    }
    if (tokenEnv != null) {
      String value = environment.apply(tokenEnv);
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(
            "--token-env: the environment variable " + tokenEnv + " is not set");
      }
      return Optional.of(value.strip());
    }
    if (token != null && token.isBlank()) {
      throw new IllegalArgumentException("--token is empty");
    }
    return Optional.ofNullable(token).map(String::strip);
  }
}
