package dev.wharf.cli.tls;

import dev.wharf.core.Addresses;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/** Certificates as the commands show them: subject, issuer, names, the date they expire. */
final class Certificates {
  private Certificates() {}

  /** {@code CN=localhost (issuer CN=Test CA, expires 2027-01-02)}. */
  static String describe(X509Certificate certificate) {
    return subject(certificate) + " (" + details(certificate) + ")";
  }

  /** {@code issuer CN=Test CA, expires 2027-01-02}; a self-signed one is its own issuer. */
  static String details(X509Certificate certificate) {
    String issuer = certificate.getIssuerX500Principal().getName();
    return "issuer "
        + (issuer.equals(subject(certificate)) ? "itself" : issuer)
        + ", expires "
        + date(certificate.getNotAfter());
  }

  static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }

  /** A day in UTC, {@code 2027-01-02}. */
  static String date(Date date) {
    return date.toInstant().atZone(ZoneOffset.UTC).toLocalDate().toString();
  }

  /** The DNS names and addresses a certificate is for, as the JDK spells them. */
  static List<String> names(X509Certificate certificate) {
    var names = new ArrayList<String>();
    try {
      var alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> entry : alternatives) {
          String name = String.valueOf(entry.get(1));
          names.add(name.contains(":") ? Addresses.compactIpv6(name) : name);
        }
      }
    } catch (CertificateParsingException e) {
      // Shown without names.
    }
    return names;
  }
}
