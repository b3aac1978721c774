package dev.wharf.certs;

import dev.wharf.core.tls.CertificateIssuer;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/** A {@link CertificateIssuer} on BouncyCastle's certificate builder. */
public final class BouncyCastleIssuer implements CertificateIssuer {

  /** For {@link java.util.ServiceLoader}. */
  public BouncyCastleIssuer() {}

  @Override
  public X509Certificate selfSigned(
      KeyPair keys, List<String> names, String organization, Instant notBefore, Instant notAfter)
      throws GeneralSecurityException {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a certificate needs at least one name");
    }
    // Built attribute by attribute: a name or organization with a comma or a plus sign stays one
    // value, where a parsed "CN=...,O=..." string would split it.
    var subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.CN, names.get(0))
            .addRDN(BCStyle.O, organization)
            .build();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            // Positive, 127 bits: under RFC 5280's 20 octets, and unguessable.
            new BigInteger(127, new SecureRandom()),
            Date.from(notBefore),
            Date.from(notAfter),
            subject,
            keys.getPublic());
    var alternatives = new ArrayList<GeneralName>();
    for (String name : names) {
      alternatives.add(
          new GeneralName(
              // An address literal goes in as an address, anything else as a DNS name.
              IPAddress.isValid(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
    }
    try {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(alternatives.toArray(GeneralName[]::new)));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      var signer = new JcaContentSignerBuilder(signatureAlgorithm(keys)).build(keys.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (CertIOException | OperatorCreationException e) {
      throw new GeneralSecurityException("cannot make the certificate: " + e.getMessage(), e);
    }
  }

  private static String signatureAlgorithm(KeyPair keys) throws GeneralSecurityException {
    return switch (keys.getPrivate().getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case String other ->
          throw new GeneralSecurityException("cannot sign a certificate with a " + other + " key");
    };
  }
}
