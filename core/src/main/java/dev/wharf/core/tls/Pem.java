package dev.wharf.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes PEM files (RFC 7468): certificate chains, and private keys in PKCS#8 ({@code
 * BEGIN PRIVATE KEY}, RSA, EC, Ed25519, RSASSA-PSS) or the traditional OpenSSL forms ({@code BEGIN
 * RSA PRIVATE KEY}, {@code BEGIN EC PRIVATE KEY}). One file may hold both a chain and its key.
 * Encrypted keys are refused with the openssl command that decrypts them.
 */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  /** Ed25519, 1.3.101.112; Ed448, 1.3.101.113 */
  private static final byte[] OID_ED25519 = {0x2b, 0x65, 0x70};

  private static final byte[] OID_ED448 = {0x2b, 0x65, 0x71};

  /** RSASSA-PSS, 1.2.840.113549.1.1.10 */
  private static final byte[] OID_RSA_PSS = {
    0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x0a
  };

  private Pem() {}

  /** One {@code -----BEGIN label-----} block, decoded. */
  private record Block(String label, String body, byte[] der) {}

  /** The certificates in a PEM file, in file order (leaf first, for a chain). */
  public static List<X509Certificate> readCertificates(Path file) throws TlsConfigException {
    return parseCertificates(read(file, "certificate"), file.toString());
  }

  /** The private key in a PEM file (the first, if there are several). */
  public static PrivateKey readPrivateKey(Path file) throws TlsConfigException {
    return parsePrivateKey(read(file, "private key"), file.toString());
  }

  /**
   * The certificates in PEM text; {@code source} names it in errors.
   *
   * @throws TlsConfigException if there is none, or one cannot be parsed
   */
  public static List<X509Certificate> parseCertificates(String pem, String source)
      throws TlsConfigException {
    var certificates = new ArrayList<X509Certificate>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 support", e);
    }
    for (Block block : blocks(pem, source)) {
      if (!block.label().equals("CERTIFICATE")) {
        continue;
      }
      try {
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
      } catch (CertificateException e) {
        throw new TlsConfigException(
            "certificate " + (certificates.size() + 1) + " in " + source + " is not valid X.509",
            e);
      }
    }
    if (certificates.isEmpty()) {
      throw new TlsConfigException(
          "no certificate in " + source + " (expected -----BEGIN CERTIFICATE-----)");
    }
    return List.copyOf(certificates);
  }

  /**
   * The first private key in PEM text; {@code source} names it in errors.
   *
   * @throws TlsConfigException if there is none, it is encrypted, or it cannot be parsed
   */
  public static PrivateKey parsePrivateKey(String pem, String source) throws TlsConfigException {
    for (Block block : blocks(pem, source)) {
      switch (block.label()) {
        case "PRIVATE KEY" -> {
          return pkcs8(block.der(), source);
        }
        case "RSA PRIVATE KEY" -> {
          refuseLegacyEncryption(block, source);
          byte[] algorithm =
              Der.encode(
                  Der.SEQUENCE, Der.encode(Der.OBJECT_IDENTIFIER, Der.OID_RSA), new byte[] {5, 0});
          return pkcs8(Der.pkcs8(algorithm, block.der()), source);
        }
        case "EC PRIVATE KEY" -> {
          refuseLegacyEncryption(block, source);
          return pkcs8(sec1ToPkcs8(block.der(), source), source);
        }
        case "ENCRYPTED PRIVATE KEY" ->
            throw new TlsConfigException(
                "the private key in "
                    + source
                    + " is encrypted; write a decrypted copy with: openssl pkcs8 -in "
                    + source
                    + " -out key.pem");
        default -> {
          if (block.label().endsWith("PRIVATE KEY")) {
            throw new TlsConfigException(
                "unsupported key format in "
                    + source
                    + " ("
                    + block.label()
                    + "); convert it with: openssl pkcs8 -topk8 -nocrypt -in "
                    + source
                    + " -out key.pem");
          }
        }
      }
    }
    throw new TlsConfigException(
        "no private key in " + source + " (expected -----BEGIN PRIVATE KEY-----)");
  }

  /** A certificate as PEM text. */
  public static String encode(X509Certificate certificate) {
    try {
      return encode("CERTIFICATE", certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded", e);
    }
  }

  /** A private key as PKCS#8 PEM text ({@code BEGIN PRIVATE KEY}). */
  public static String encode(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("key is not PKCS#8 encodable: " + key.getFormat());
    }
    return encode("PRIVATE KEY", key.getEncoded());
  }

  private static String encode(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  // ---- internals ----

  /** Reads a file as text, with errors that name it and say what went wrong. */
  static String read(Path file, String what) throws TlsConfigException {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new TlsConfigException(what + " file not found: " + file, e);
    } catch (AccessDeniedException e) {
      throw new TlsConfigException(
          "cannot read " + what + " file " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new TlsConfigException("cannot read " + what + " file " + file + ": " + e, e);
    }
  }

  private static List<Block> blocks(String pem, String source) throws TlsConfigException {
    var blocks = new ArrayList<Block>();
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      String body = m.group(2);
      // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") mark legacy encrypted keys; they are not
      // base64, so they are kept aside for refuseLegacyEncryption and left out of the decoding.
      var base64 = new StringBuilder(body.length());
      body.lines().filter(line -> line.indexOf(':') < 0).forEach(base64::append);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(base64.toString());
      } catch (IllegalArgumentException e) {
        throw new TlsConfigException(
            "bad base64 in the " + m.group(1) + " block of " + source + ": " + e.getMessage(), e);
      }
      blocks.add(new Block(m.group(1), body, der));
    }
    if (blocks.isEmpty()) {
      throw new TlsConfigException(
          source
              + " is not a PEM file (no -----BEGIN ...----- line); convert DER with: openssl"
              + " x509 -inform der -in FILE -out FILE.pem");
    }
    return blocks;
  }

  private static void refuseLegacyEncryption(Block block, String source) throws TlsConfigException {
    if (block.body().contains("Proc-Type:") && block.body().contains("ENCRYPTED")) {
      throw new TlsConfigException(
          "the private key in "
              + source
              + " is encrypted; write a decrypted copy with: openssl pkey -in "
              + source
              + " -out key.pem");
    }
  }

  private static PrivateKey pkcs8(byte[] der, String source) throws TlsConfigException {
    String algorithm;
    try {
      // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier { OID, params }, key }
      List<Der.Element> info = Der.read(der, 0, der.length).children();
      byte[] oid = info.get(1).children().get(0).contents();
      algorithm = algorithmOf(oid);
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new TlsConfigException("the private key in " + source + " is not valid PKCS#8", e);
    }
    if (algorithm == null) {
      throw new TlsConfigException(
          "the private key in "
              + source
              + " uses an algorithm Wharf does not support (RSA, EC, Ed25519, Ed448 and"
              + " RSASSA-PSS are)");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new TlsConfigException(
          "the " + algorithm + " private key in " + source + " cannot be read: " + e.getMessage(),
          e);
    }
  }

  private static String algorithmOf(byte[] oid) {
    if (Arrays.equals(oid, Der.OID_RSA)) {
      return "RSA";
    } else if (Arrays.equals(oid, Der.OID_EC)) {
      return "EC";
    } else if (Arrays.equals(oid, OID_ED25519)) {
      return "Ed25519";
    } else if (Arrays.equals(oid, OID_ED448)) {
      return "Ed448";
    } else if (Arrays.equals(oid, OID_RSA_PSS)) {
      return "RSASSA-PSS";
    }
    return null;
  }

  /**
   * SEC1 (RFC 5915) ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] curve OID,
   * [1] public key }. PKCS#8 moves the curve into the AlgorithmIdentifier.
   */
  private static byte[] sec1ToPkcs8(byte[] sec1, String source) throws TlsConfigException {
    try {
      byte[] curve = null;
      var kept = new ArrayList<byte[]>();
      for (Der.Element field : Der.read(sec1, 0, sec1.length).children()) {
        if (field.tag() == 0xa0) {
          curve = field.children().get(0).encoded();
        } else {
          kept.add(field.encoded()); // As openssl writes PKCS#8: the curve only outside.
        }
      }
      if (curve != null) {
        byte[] algorithm =
            Der.encode(Der.SEQUENCE, Der.encode(Der.OBJECT_IDENTIFIER, Der.OID_EC), curve);
        return Der.pkcs8(algorithm, Der.encode(Der.SEQUENCE, kept.toArray(byte[][]::new)));
      }
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new TlsConfigException("the EC private key in " + source + " is not valid SEC1", e);
    }
    throw new TlsConfigException(
        "the EC private key in "
            + source
            + " does not name its curve; convert it with: openssl pkcs8 -topk8 -nocrypt -in "
            + source
            + " -out key.pem");
  }
}
