package dev.wharf.cli.channels;

import dev.wharf.channels.JwtVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * {@code wharf serve --channels}' token options (a picocli mixin): the JWT keys. The secret is read
 * from the environment, never from the command line (which other users see in the process list),
 * and no message repeats it.
 */
public final class JwtOptions {

  @Option(
      names = "--jwt-secret-env",
      paramLabel = "VAR",
      description =
          "Channels clients need a JWT signed with HS256 and the secret in environment variable"
              + " VAR (at least 32 bytes); see docs/channels.md for its claims.")
  String secretEnv;

  @Option(
      names = "--jwt-public-key",
      paramLabel = "FILE",
      description =
          "Channels clients need a JWT signed with RS256 by the private key of this PEM public key"
              + " (or certificate). With --jwt-secret-env too, either is accepted.")
  Path publicKey;

  @Option(
      names = "--jwt-issuer",
      paramLabel = "ISS",
      description = "Tokens must carry this issuer (iss).")
  String issuer;

  @Option(
      names = "--jwt-audience",
      paramLabel = "AUD",
      description = "Tokens must name this audience (aud).")
  String audience;

  /** Where the environment comes from: System::getenv, or a map in tests. */
  private Function<String, String> environment = System::getenv;

  JwtOptions withEnvironment(Function<String, String> lookup) {
    this.environment = lookup;
    return this;
  }

  /** True if any token option was given. */
  public boolean isConfigured() {
    return secretEnv != null || publicKey != null;
  }

  /**
   * The verifier asked for, or empty without a key; throws {@link IllegalArgumentException} with
   * one line for a missing variable, a short secret or an unreadable key file.
   */
  public Optional<JwtVerifier> verifier() {
    if (!isConfigured()) {
      if (issuer != null || audience != null) {
        throw new IllegalArgumentException(
            "--jwt-issuer and --jwt-audience go with --jwt-secret-env or --jwt-public-key");
      }
      return Optional.empty();
    }
    var builder = JwtVerifier.builder();
    if (secretEnv != null) {
      String secret = environment.apply(secretEnv);
      if (secret == null || secret.isEmpty()) {
        throw new IllegalArgumentException(
            "--jwt-secret-env: the environment variable " + secretEnv + " is not set");
      }
      byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
      if (bytes.length < JwtVerifier.MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "--jwt-secret-env: the secret in "
                + secretEnv
                + " is "
                + bytes.length
                + " bytes; HS256 needs at least "
                + JwtVerifier.MIN_SECRET_BYTES);
      }
      builder.hs256(bytes);
    }
    if (publicKey != null) {
      String pem;
      try {
        pem = Files.readString(publicKey, StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "--jwt-public-key: cannot read " + publicKey + ": " + e.getClass().getSimpleName());
      }
      try {
        builder.rs256(JwtVerifier.readRsaPublicKey(pem));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--jwt-public-key: " + publicKey + ": " + e.getMessage());
      }
    }
    if (issuer != null) {
      builder.issuer(issuer);
    }
    if (audience != null) {
      builder.audience(audience);
    }
    return Optional.of(builder.build());
  }
}
