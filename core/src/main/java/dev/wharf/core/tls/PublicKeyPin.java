package dev.wharf.core.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The SHA-256 hash of a certificate's public key (its DER SubjectPublicKeyInfo, as in RFC 7469 and
 * curl's {@code --pinnedpubkey}). A pinned connection succeeds only if some certificate in the
 * peer's chain has one of the pinned keys; the key stays the same when a certificate is renewed
 * with it.
 *
 * <p>Written {@code sha256:} followed by base64 (44 characters) or hex (64); curl's {@code
 * sha256//base64} is read too. Get one from a certificate with {@link #of} or with {@code openssl
 * x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256
 * -binary | base64}.
 */
public final class PublicKeyPin {
  private final byte[] sha256;

  private PublicKeyPin(byte[] sha256) {
    this.sha256 = sha256;
  }

  /**
   * Reads {@code sha256:BASE64}, {@code sha256:HEX} or {@code sha256//BASE64}.
   *
   * @throws IllegalArgumentException with what was expected, if it is none of those
   */
  public static PublicKeyPin parse(String text) {
    String value;
    if (text.regionMatches(true, 0, "sha256:", 0, 7)) {
      value = text.substring(7);
    } else if (text.regionMatches(true, 0, "sha256//", 0, 8)) {
      value = text.substring(8);
    } else {
      throw new IllegalArgumentException(
          "a pin is sha256: followed by the base64 or hex SHA-256 of the public key, not: " + text);
    }
    byte[] hash;
    try {
      hash =
          value.length() == 64 ? HexFormat.of().parseHex(value) : Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      hash = new byte[0];
    }
    if (hash.length != 32) {
      throw new IllegalArgumentException(
          "a SHA-256 pin is 32 bytes (44 base64 or 64 hex characters), not: " + text);
    }
    return new PublicKeyPin(hash);
  }

  /** The pin of a certificate's public key. */
  public static PublicKeyPin of(X509Certificate certificate) {
    try {
      return new PublicKeyPin(
          MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Whether any certificate of the chain has this key. */
  public boolean matchesAny(List<X509Certificate> chain) {
    for (X509Certificate certificate : chain) {
      if (equals(of(certificate))) {
        return true;
      }
    }
    return false;
  }

  /** {@code sha256:} and the base64 hash. */
  @Override
  public String toString() {
    return "sha256:" + Base64.getEncoder().encodeToString(sha256);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKeyPin other && MessageDigest.isEqual(sha256, other.sha256);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sha256);
  }
}
