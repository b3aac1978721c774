package dev.wharf.core;

import java.io.IOException;

/**
 * A phase of a connection (connect, TLS handshake, idle, read, write stall, waiting for a response
 * or a handshake answer) took longer than its configured timeout. Named apart from the JDK's {@link
 * java.util.concurrent.TimeoutException}, which a {@code Future.get} with a timeout throws: code
 * that waits on Wharf's futures meets both, and must tell them apart without a qualified name.
 */
public final class ConnectionTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  public ConnectionTimeoutException(String message) {
    super(message);
  }
}
