package dev.wharf.cli.get;

import dev.wharf.cli.Failures;
import dev.wharf.cli.tls.TlsFailures;
import dev.wharf.core.ConnectionTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;

/**
 * curl's exit codes, which {@code wharf get} keeps so that scripts written for curl work: the codes
 * themselves and which failure means which.
 */
final class CurlExit {
  static final int MALFORMED_URL = 3;
  static final int UNRESOLVED = 6;
  static final int WEIRD_SERVER_REPLY = 8;
  static final int PARTIAL_FILE = 18;
  static final int RANGE_ERROR = 33;
  static final int BAD_CONTENT_ENCODING = 61;
  static final int CANNOT_CONNECT = 7;
  static final int HTTP_ERROR = 22;
  static final int WRITE_ERROR = 23;
  static final int READ_ERROR = 26;
  static final int TIMED_OUT = 28;
  static final int TLS_HANDSHAKE_FAILED = 35;
  static final int TOO_MANY_REDIRECTS = 47;
  static final int CLIENT_CERTIFICATE_PROBLEM = 58;
  static final int CERTIFICATE_REJECTED = 60;
  static final int CA_FILE_PROBLEM = 77;
  static final int PINNED_KEY_MISMATCH = 90;

  private CurlExit() {}

  /** The exit code for a failure of the exchange. */
  static int of(Throwable cause) {
    if (cause instanceof UnknownHostException) {
      return UNRESOLVED;
    }
    switch (TlsFailures.kind(cause)) {
      case PIN -> {
        return PINNED_KEY_MISMATCH;
      }
      case CERTIFICATE -> {
        return CERTIFICATE_REJECTED;
      }
      case HANDSHAKE -> {
        return TLS_HANDSHAKE_FAILED;
      }
      case NONE -> {}
    }
    if (cause instanceof ConnectionTimeoutException
        || cause instanceof java.util.concurrent.TimeoutException) {
      return TIMED_OUT;
    }
    if (cause instanceof ConnectException || cause instanceof java.net.NoRouteToHostException) {
      return CANNOT_CONNECT;
    }
    if (cause instanceof Failure failure) {
      return failure.exitCode;
    }
    if (cause instanceof java.net.ProtocolException) {
      return WEIRD_SERVER_REPLY; // The response did not parse: curl's 8.
    }
    return Failures.IO_FAILURE;
  }

  /** Stdout or the -o file would take no more (a closed pipe, a full disk): curl's 23. */
  static Failure writeFailure(IOException e) {
    return new Failure("cannot write the body: " + Failures.describe(e), WRITE_ERROR);
  }

  /**
   * A failure {@code get} decides itself (an HTTP error under -f, a write error), with curl's exit
   * code.
   */
  static final class Failure extends IOException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    Failure(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }
  }
}
