package dev.wharf.channels;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.wharf.channels.protocol.ChannelNames;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Checks JWTs (RFC 7519) signed with HS256 (a shared secret) or RS256 (an RSA key pair; the server
 * holds the public key), through nimbus-jose-jwt, and turns their claims into a {@link
 * ClientAuthenticator.Grant}:
 *
 * <pre>{@code
 * {"sub":"alice", "exp":1767225600,
 *  "subscribe":["chat:*","news"], "publish":["chat:*"]}
 * }</pre>
 *
 * <ul>
 *   <li>{@code sub}: the user presence shows ({@code ""} without one);
 *   <li>{@code subscribe}, {@code publish}: channel patterns ({@code *} is any run of characters);
 *       a list missing grants nothing that way;
 *   <li>{@code exp}, {@code nbf}: checked with {@link Builder#clockSkew} of leeway (60 s by
 *       default); a token without {@code exp} is valid as long as its signature is;
 *   <li>{@code iss}, {@code aud}: checked when {@link Builder#issuer} or {@link Builder#audience}
 *       is set.
 * </ul>
 *
 * <p>Only the algorithms a key was given for are accepted: a token that says {@code none}, or HS256
 * where only an RSA public key is configured (the "algorithm confusion" forgery), is refused.
 * Immutable and thread-safe; verifying is CPU work only (a MAC or an RSA signature check).
 */
public final class JwtVerifier implements TokenVerifier {
  /** HS256 keys shorter than the hash are refused (RFC 7518 §3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  private final JWSVerifier hs256;
  private final JWSVerifier rs256;
  private final String issuer;
  private final String audience;
  private final Duration clockSkew;
  private final InstantSource clock;

  private JwtVerifier(Builder b) {
    this.hs256 = b.hs256;
    this.rs256 = b.rs256;
    this.issuer = b.issuer;
    this.audience = b.audience;
    this.clockSkew = b.clockSkew;
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The algorithms this verifier accepts, for logs: {@code "HS256"}, {@code "HS256, RS256"}. */
  public String algorithms() {
    return (hs256 != null ? "HS256" : "")
        + (hs256 != null && rs256 != null ? ", " : "")
        + (rs256 != null ? "RS256" : "");
  }

  @Override
  public ClientAuthenticator.Grant verify(String token) {
    SignedJWT jwt = signed(token);
    JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
    JWSVerifier verifier =
        JWSAlgorithm.HS256.equals(algorithm)
            ? hs256
            : JWSAlgorithm.RS256.equals(algorithm) ? rs256 : null;
    if (verifier == null) {
      throw InvalidTokenException.invalid(
          "tokens signed with "
              + algorithm
              + " are not accepted (this server takes "
              + algorithms()
              + ")");
    }
    try {
      if (!jwt.verify(verifier)) {
        throw InvalidTokenException.invalid(
            "the token's signature does not match: forged, or signed with another key");
      }
    } catch (JOSEException e) {
      throw InvalidTokenException.invalid(
          "the token's signature cannot be checked: " + e.getMessage());
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw InvalidTokenException.invalid("the token's claims are not a JSON object");
    }
    return grant(claims);
  }

  private static SignedJWT signed(String token) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      // Not nimbus's message: it may quote the token.
      throw InvalidTokenException.invalid("not a JWT (three base64url parts joined by dots)");
    }
    return switch (jwt) {
      case SignedJWT signed -> signed;
      case EncryptedJWT encrypted ->
          throw InvalidTokenException.invalid("encrypted tokens (JWE) are not accepted");
      default -> throw InvalidTokenException.invalid("unsigned tokens (alg none) are not accepted");
    };
  }

  private ClientAuthenticator.Grant grant(JWTClaimsSet claims) {
    Instant now = clock.instant();
    Instant expires = instant(claims.getExpirationTime());
    // RFC 7519 §4.1.4: not accepted on or after exp; §4.1.5: not before nbf; both with leeway.
    if (expires != null && !now.isBefore(expires.plus(clockSkew))) {
      throw InvalidTokenException.expired("the token expired at " + expires);
    }
    Instant notBefore = instant(claims.getNotBeforeTime());
    if (notBefore != null && now.plus(clockSkew).isBefore(notBefore)) {
      throw InvalidTokenException.invalid("the token is not valid before " + notBefore);
    }
    if (issuer != null && !issuer.equals(claims.getIssuer())) {
      throw InvalidTokenException.invalid("the token's issuer (iss) is not " + issuer);
    }
    if (audience != null
        && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
      throw InvalidTokenException.invalid(
          "the token's audience (aud) does not include " + audience);
    }
    String user = claims.getSubject() == null ? "" : claims.getSubject();
    if (user.length() > 256) {
      throw InvalidTokenException.invalid("the token's sub is longer than 256 characters");
    }
    return ClientAuthenticator.Grant.ofPatterns(
        user,
        patterns(claims, "subscribe"),
        patterns(claims, "publish"),
        expires == null ? Instant.MAX : expires.plus(clockSkew));
  }

  private static List<String> patterns(JWTClaimsSet claims, String name) {
    List<String> patterns;
    try {
      patterns = claims.getStringListClaim(name);
    } catch (ParseException e) {
      throw InvalidTokenException.invalid(
          "the token's " + name + " claim must be a list of channel patterns");
    }
    if (patterns == null) {
      return List.of();
    }
    for (String pattern : patterns) {
      if (pattern == null || !ChannelNames.isValid(pattern.replace("*", "x"))) {
        throw InvalidTokenException.invalid(
            "the token's " + name + " claim holds an invalid channel pattern");
      }
    }
    return patterns;
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }

  /**
   * An RSA public key from PEM text: a {@code PUBLIC KEY} (SubjectPublicKeyInfo, as {@code openssl
   * rsa -pubout} writes it) or a {@code CERTIFICATE}.
   *
   * @throws IllegalArgumentException if the text holds neither, or the key is not RSA
   */
  public static RSAPublicKey readRsaPublicKey(String pem) {
    PublicKey key;
    try {
      if (pem.contains("-----BEGIN PUBLIC KEY-----")) {
        byte[] der = pemBody(pem, "PUBLIC KEY");
        key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
      } else if (pem.contains("-----BEGIN CERTIFICATE-----")) {
        key =
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pemBody(pem, "CERTIFICATE")))
                .getPublicKey();
      } else if (pem.contains("-----BEGIN RSA PUBLIC KEY-----")) {
        throw new IllegalArgumentException(
            "a PKCS#1 RSA PUBLIC KEY; convert it: openssl rsa -RSAPublicKey_in -pubout");
      } else {
        throw new IllegalArgumentException(
            "no PEM public key or certificate (-----BEGIN PUBLIC KEY-----)");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a readable RSA public key: " + e.getMessage(), e);
    }
    if (!(key instanceof RSAPublicKey rsa)) {
      throw new IllegalArgumentException("not an RSA key but " + key.getAlgorithm());
    }
    return rsa;
  }

  private static byte[] pemBody(String pem, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin) + begin.length();
    int to = pem.indexOf(end, from);
    if (to < 0) {
      throw new IllegalArgumentException("no " + end + " line");
    }
    String base64 =
        pem.substring(from, to).lines().map(String::strip).collect(Collectors.joining());
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the PEM " + label + " is not valid base64");
    }
  }

  /** Builds a {@link JwtVerifier}: at least one key. Not thread-safe. */
  public static final class Builder {
    private JWSVerifier hs256;
    private JWSVerifier rs256;
    private String issuer;
    private String audience;
    private Duration clockSkew = Duration.ofSeconds(60);
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /**
     * Accepts HS256 tokens signed with this secret (at least {@value #MIN_SECRET_BYTES} bytes).
     *
     * @throws IllegalArgumentException if the secret is shorter; the message does not quote it
     */
    public Builder hs256(byte[] secret) {
      if (secret.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "an HS256 secret must be at least "
                + MIN_SECRET_BYTES
                + " bytes (256 bits, RFC 7518 §3.2), got "
                + secret.length);
      }
      try {
        this.hs256 = new MACVerifier(secret.clone());
      } catch (JOSEException e) {
        throw new IllegalArgumentException("unusable HS256 secret: " + e.getMessage(), e);
      }
      return this;
    }

    /** Accepts RS256 tokens signed with the private key of this public key. */
    public Builder rs256(RSAPublicKey key) {
      this.rs256 = new RSASSAVerifier(Objects.requireNonNull(key, "key"));
      return this;
    }

    /** Tokens must carry this {@code iss}. */
    public Builder issuer(String value) {
      this.issuer = Objects.requireNonNull(value);
      return this;
    }

    /** Tokens must name this {@code aud}. */
    public Builder audience(String value) {
      this.audience = Objects.requireNonNull(value);
      return this;
    }

    /** The leeway for clocks that disagree, on {@code exp} and {@code nbf} (default 60 s). */
    public Builder clockSkew(Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException("clockSkew must not be negative");
      }
      this.clockSkew = value;
      return this;
    }

    /** The clock {@code exp} and {@code nbf} are checked against (tests use a fake one). */
    public Builder clock(InstantSource value) {
      this.clock = Objects.requireNonNull(value);
      return this;
    }

    public JwtVerifier build() {
      if (hs256 == null && rs256 == null) {
        throw new IllegalArgumentException("a JWT verifier needs an HS256 secret or an RS256 key");
      }
      return new JwtVerifier(this);
    }
  }
}
