package dev.wharf.core.tls;

import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The versions and cipher suites Wharf speaks: TLS 1.3, and TLS 1.2 with forward-secret ECDHE and
 * an AEAD cipher (AES-GCM or ChaCha20-Poly1305) only. No CBC, no RSA key exchange, no TLS 1.1.
 */
final class TlsDefaults {
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  /** In order of preference; a server applies its own order. */
  private static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsDefaults() {}

  /** The suites above that this JDK supports. */
  static String[] cipherSuites(SSLContext context) {
    List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getCipherSuites());
    return CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
  }

  /** Versions and suites on an engine's parameters. */
  static SSLParameters parameters(SSLEngine engine, String[] cipherSuites, List<String> alpn) {
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(PROTOCOLS);
    parameters.setCipherSuites(cipherSuites);
    if (!alpn.isEmpty()) {
      parameters.setApplicationProtocols(alpn.toArray(String[]::new));
    }
    return parameters;
  }

  static SSLContext context(
      javax.net.ssl.KeyManager keyManager, javax.net.ssl.TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          keyManager == null ? null : new javax.net.ssl.KeyManager[] {keyManager},
          trustManager == null ? null : new javax.net.ssl.TrustManager[] {trustManager},
          null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available in this JDK: " + e.getMessage(), e);
    }
  }

  static List<String> checkAlpn(List<String> protocols) {
    for (String protocol : protocols) {
      if (protocol.isEmpty() || protocol.length() > 255) {
        throw new IllegalArgumentException("an ALPN protocol name is 1 to 255 bytes: " + protocol);
      }
    }
    return List.copyOf(protocols);
  }

  static java.time.Duration checkTimeout(java.time.Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("handshake timeout must not be negative: " + timeout);
    }
    return timeout;
  }
}
