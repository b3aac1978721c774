package dev.wharf.channels;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;

/** Tokens for tests, made by nimbus-jose-jwt: HS256 with {@link #SECRET}, RS256 with a key pair. */
final class Tokens {
  static final byte[] SECRET =
      "a test secret of thirty-two bytes or more".getBytes(StandardCharsets.US_ASCII);
  static final KeyPair RSA = rsaKeyPair();

  private Tokens() {}

  private static KeyPair rsaKeyPair() {
    try {
      var generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Claims for {@code user} granting these patterns, expiring at {@code exp}. */
  static JWTClaimsSet.Builder claims(
      String user, List<String> subscribe, List<String> publish, Instant exp) {
    return new JWTClaimsSet.Builder()
        .subject(user)
        .claim("subscribe", subscribe)
        .claim("publish", publish)
        .expirationTime(Date.from(exp));
  }

  static String hs256(JWTClaimsSet claims) {
    return sign(JWSAlgorithm.HS256, macSigner(SECRET), claims);
  }

  static String hs256(byte[] secret, JWTClaimsSet claims) {
    return sign(JWSAlgorithm.HS256, macSigner(secret), claims);
  }

  static String rs256(JWTClaimsSet claims) {
    return sign(JWSAlgorithm.RS256, new RSASSASigner(RSA.getPrivate()), claims);
  }

  private static JWSSigner macSigner(byte[] secret) {
    try {
      return new MACSigner(secret);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  private static String sign(JWSAlgorithm algorithm, JWSSigner signer, JWTClaimsSet claims) {
    var jwt = new SignedJWT(new JWSHeader(algorithm), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
    return jwt.serialize();
  }

  /** The token with one part replaced (0 header, 1 claims, 2 signature). */
  static String withPart(String token, int part, UnaryOperator<String> change) {
    String[] parts = token.split("\\.", -1);
    parts[part] = change.apply(parts[part]);
    return String.join(".", parts);
  }
}
