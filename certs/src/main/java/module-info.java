/**
 * Self-signed certificates for TLS servers, made with BouncyCastle: the core's {@link
 * dev.wharf.core.tls.CertificateIssuer} service. A module of its own so that BouncyCastle's signed
 * jars (11 MB, 8,000 entries) are opened only by a program that makes a certificate: the {@code
 * wharf} command keeps this module and them out of its module path, and loads them in a layer of
 * their own for {@code serve --tls} without {@code --cert}. It exports nothing: the service is its
 * API.
 */
module dev.wharf.certs {
  requires dev.wharf.core;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;

  provides dev.wharf.core.tls.CertificateIssuer with
      dev.wharf.certs.BouncyCastleIssuer;
}
