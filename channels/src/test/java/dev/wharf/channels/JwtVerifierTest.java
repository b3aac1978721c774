package dev.wharf.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JWTs made by nimbus-jose-jwt against {@link JwtVerifier}, on a fixed clock. */
class JwtVerifierTest {
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final Instant LATER = NOW.plus(Duration.ofHours(1));

  private final JwtVerifier hs256 =
      JwtVerifier.builder().hs256(Tokens.SECRET).clock(() -> NOW).build();
  private final JwtVerifier rs256 =
      JwtVerifier.builder().rs256((RSAPublicKey) Tokens.RSA.getPublic()).clock(() -> NOW).build();

  private static JWTClaimsSet alice() {
    return Tokens.claims("alice", List.of("chat:*", "news"), List.of("chat:*"), LATER).build();
  }

  private static String refusal(JwtVerifier verifier, String token) {
    try {
      verifier.verify(token);
    } catch (InvalidTokenException e) {
      return (e.isExpired() ? "expired: " : "invalid: ") + e.getMessage();
    }
    throw new AssertionError("accepted: " + token);
  }

  /** A signature with its first character changed; always a different one (the key is random). */
  private static String otherFirstChar(String signature) {
    return (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1);
  }

  @Test
  void anHs256TokenNamesTheUserAndGrantsItsPatterns() {
    ClientAuthenticator.Grant grant = hs256.verify(Tokens.hs256(alice()));
    assertThat(grant.user()).isEqualTo("alice");
    assertThat(grant.maySubscribe()).accepts("chat:lobby", "news").rejects("newsroom", "other");
    assertThat(grant.mayPublish()).accepts("chat:lobby").rejects("news");
    assertThat(grant.validUntil()).isEqualTo(LATER.plusSeconds(60));
  }

  @Test
  void anRs256TokenIsCheckedWithThePublicKey() {
    ClientAuthenticator.Grant grant = rs256.verify(Tokens.rs256(alice()));
    assertThat(grant.user()).isEqualTo("alice");
    assertThat(grant.mayPublish()).accepts("chat:x");
  }

  @Test
  void missingClaimsGrantNothingAndNoExpiryLastsAsLongAsTheConnection() {
    var claims = new JWTClaimsSet.Builder().build();
    ClientAuthenticator.Grant grant = hs256.verify(Tokens.hs256(claims));
    assertThat(grant.user()).isEmpty();
    assertThat(grant.maySubscribe()).rejects("news");
    assertThat(grant.mayPublish()).rejects("news");
    assertThat(grant.validUntil()).isEqualTo(Instant.MAX);
  }

  @Test
  void aForgedSignatureIsRefused() {
    byte[] other = "another secret, thirty-two bytes long".getBytes(StandardCharsets.US_ASCII);
    assertThat(refusal(hs256, Tokens.hs256(other, alice())))
        .isEqualTo(
            "invalid: the token's signature does not match: forged, or signed with another key");
    // The claims changed after signing: a wider grant.
    String token = Tokens.hs256(alice());
    String widened =
        Tokens.withPart(
            token,
            1,
            part ->
                Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(
                        new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8)
                            .replace("\"chat:*\"]", "\"*\"]")
                            .getBytes(StandardCharsets.UTF_8)));
    assertThat(widened).isNotEqualTo(token);
    assertThat(refusal(hs256, widened)).startsWith("invalid: the token's signature does not match");
    assertThat(
            refusal(
                rs256, Tokens.withPart(Tokens.rs256(alice()), 2, JwtVerifierTest::otherFirstChar)))
        .startsWith("invalid: the token's signature does not match");
  }

  @Test
  void anExpiredTokenIsRefusedAsExpiredPastTheLeeway() {
    var claims = Tokens.claims("alice", List.of("*"), List.of(), NOW.minusSeconds(61)).build();
    assertThat(refusal(hs256, Tokens.hs256(claims)))
        .isEqualTo("expired: the token expired at 2026-12-03T11:58:59Z");
    var withinSkew = Tokens.claims("alice", List.of("*"), List.of(), NOW.minusSeconds(59)).build();
    assertThat(hs256.verify(Tokens.hs256(withinSkew)).user()).isEqualTo("alice");
  }

  @Test
  void aTokenNotYetValidIsRefused() {
    var claims = new JWTClaimsSet.Builder().notBeforeTime(Date.from(LATER)).build();
    assertThat(refusal(hs256, Tokens.hs256(claims)))
        .isEqualTo("invalid: the token is not valid before 2026-12-03T13:00:00Z");
  }

  @Test
  void algorithmsWithoutAKeyAreRefusedAlgNoneAndConfusionIncluded() throws Exception {
    assertThat(refusal(hs256, new PlainJWT(alice()).serialize()))
        .isEqualTo("invalid: unsigned tokens (alg none) are not accepted");
    assertThat(refusal(hs256, Tokens.rs256(alice())))
        .isEqualTo("invalid: tokens signed with RS256 are not accepted (this server takes HS256)");
    // Algorithm confusion: HS256 with the RSA public key's bytes as the secret.
    var confused = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), alice());
    confused.sign(new MACSigner(Tokens.RSA.getPublic().getEncoded()));
    assertThat(refusal(rs256, confused.serialize()))
        .isEqualTo("invalid: tokens signed with HS256 are not accepted (this server takes RS256)");
  }

  @Test
  void malformedTokensAndClaimsAreRefusedWithoutQuotingThem() {
    assertThat(refusal(hs256, "not a token"))
        .isEqualTo("invalid: not a JWT (three base64url parts joined by dots)");
    assertThat(refusal(hs256, "eyJhbGciOiJIUzI1NiJ9.e30"))
        .isEqualTo("invalid: not a JWT (three base64url parts joined by dots)");
    var stringNotList = new JWTClaimsSet.Builder().claim("subscribe", 7).build();
    assertThat(refusal(hs256, Tokens.hs256(stringNotList)))
        .isEqualTo("invalid: the token's subscribe claim must be a list of channel patterns");
    var badPattern = new JWTClaimsSet.Builder().claim("publish", List.of("a b")).build();
    assertThat(refusal(hs256, Tokens.hs256(badPattern)))
        .isEqualTo("invalid: the token's publish claim holds an invalid channel pattern");
  }

  @Test
  void issuerAndAudienceAreCheckedWhenConfigured() {
    var verifier =
        JwtVerifier.builder()
            .hs256(Tokens.SECRET)
            .issuer("https://auth.example")
            .audience("wharf")
            .clock(() -> NOW)
            .build();
    assertThat(refusal(verifier, Tokens.hs256(alice())))
        .isEqualTo("invalid: the token's issuer (iss) is not https://auth.example");
    var right =
        Tokens.claims("alice", List.of("*"), List.of(), LATER)
            .issuer("https://auth.example")
            .audience(List.of("other", "wharf"))
            .build();
    assertThat(verifier.verify(Tokens.hs256(right)).user()).isEqualTo("alice");
  }

  @Test
  void keysAreCheckedWhenConfigured() {
    assertThatThrownBy(() -> JwtVerifier.builder().hs256(new byte[31]))
        .hasMessage("an HS256 secret must be at least 32 bytes (256 bits, RFC 7518 §3.2), got 31");
    assertThatThrownBy(() -> JwtVerifier.builder().build())
        .hasMessage("a JWT verifier needs an HS256 secret or an RS256 key");
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(Tokens.RSA.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    assertThat(JwtVerifier.readRsaPublicKey(pem)).isEqualTo(Tokens.RSA.getPublic());
    assertThatThrownBy(() -> JwtVerifier.readRsaPublicKey("hello"))
        .hasMessage("no PEM public key or certificate (-----BEGIN PUBLIC KEY-----)");
  }
}
