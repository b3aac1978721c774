package dev.wharf.core.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Makes X.509 certificates: a service ({@link java.util.ServiceLoader}) that the core, which
 * depends on nothing, leaves to a provider. The JDK signs, but has no public API to build a
 * certificate; {@code wharf-certs} provides one with BouncyCastle, whose 11 MB of signed jars a
 * program then loads only when it makes a certificate (the {@code wharf} command: in a module layer
 * of their own, for {@code serve --tls} without {@code --cert}).
 *
 * <p>Threads: a provider holds no state; any thread may call it.
 */
public interface CertificateIssuer {

  /**
   * A self-signed certificate for a TLS server: subject {@code CN=names[0]}, issuer the same, every
   * name a subject alternative name (IP addresses as such, the rest as DNS names), not a CA,
   * digital signatures only, server authentication, signed with SHA-256 by {@code keys}' private
   * key (EC or RSA).
   *
   * @param keys the key pair the certificate is for, and signed by
   * @param names host names and IP addresses (literals) the certificate covers; not empty
   * @param organization the subject's O attribute, telling what made it
   * @param notBefore the start of its validity
   * @param notAfter the end of its validity
   * @throws GeneralSecurityException when the key cannot sign
   */
  X509Certificate selfSigned(
      KeyPair keys, List<String> names, String organization, Instant notBefore, Instant notAfter)
      throws GeneralSecurityException;
}
