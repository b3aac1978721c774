package dev.wharf.core.tls;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Rewrites the JDK's TLS failures ("Received fatal alert: certificate_required", "PKIX path
 * building failed: ...") into sentences that say what went wrong and on which side.
 */
final class TlsErrors {
  private TlsErrors() {}

  /**
   * @param error what the engine threw
   * @param client whether we are the client
   * @param peer the peer, as the message names it ({@code localhost:8443})
   * @param handshaking whether the handshake was still going on
   */
  static SSLException explain(
      SSLException error, boolean client, String peer, boolean handshaking) {
    String what = describe(error, client);
    String message =
        (handshaking ? "TLS handshake with " + peer + " failed: " : "TLS error with " + peer + ": ")
            + what;
    SSLException explained =
        handshaking ? new SSLHandshakeException(message) : new SSLException(message);
    explained.initCause(error);
    return explained;
  }

  private static String describe(SSLException error, boolean client) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof PeerRejectedException rejected) {
        return rejected.getMessage();
      }
    }
    String message = String.valueOf(error.getMessage());
    String us = client ? "client" : "server";
    String them = client ? "server" : "client";
    if (message.contains("certificate_required")) {
      return client
          ? "the server requires a client certificate"
          : "the client sent no certificate, and one is required";
    }
    if (message.contains("Empty client certificate chain")
        || message.contains("Empty server certificate chain")) {
      return "the " + them + " sent no certificate, and one is required";
    }
    if (message.contains("Received fatal alert: bad_certificate")
        || message.contains("Received fatal alert: unknown_ca")
        || message.contains("Received fatal alert: certificate_unknown")
        || message.contains("Received fatal alert: certificate_expired")) {
      String alert = message.substring(message.indexOf("alert: ") + 7);
      return "the " + them + " rejected our " + us + " certificate (" + alert + ")";
    }
    if (message.contains("protocol_version")
        || message.contains("No appropriate protocol")
        || message.contains("not supported or has been disabled")
        || message.contains("Client requested protocol")) {
      return "no TLS version in common (Wharf speaks TLS 1.3 and TLS 1.2)";
    }
    if (message.contains("no_application_protocol")
        || message.contains("No matching application layer protocol")) {
      return "no application protocol (ALPN) in common";
    }
    if (message.contains("no cipher suites in common")
        || message.contains("Received fatal alert: handshake_failure")
        || message.contains("Received fatal alert: insufficient_security")) {
      return "no cipher suite in common, or the "
          + them
          + " refused the handshake ("
          + message
          + ")";
    }
    if (message.contains("Unsupported or unrecognized SSL message")
        || message.contains("plaintext connection?")) {
      return "the " + them + " does not speak TLS (plain text on a TLS port?)";
    }
    return message;
  }
}
