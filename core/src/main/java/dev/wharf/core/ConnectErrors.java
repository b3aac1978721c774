package dev.wharf.core;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.util.Locale;

/** Turns the JDK's terse connect failures into messages that say what happened where. */
final class ConnectErrors {
  private ConnectErrors() {}

  static IOException explain(Throwable error, SocketAddress address) {
    if (error instanceof ConnectionTimeoutException timeout) {
      return timeout;
    }
    String where = BindErrors.describe(address);
    String message = error.getMessage() == null ? "" : error.getMessage().toLowerCase(Locale.ROOT);
    IOException explained;
    if (message.contains("refused")) {
      explained =
          new ConnectException("connection refused: " + where + " (nothing is listening there)");
    } else if (message.contains("no such file")) {
      explained =
          new ConnectException("no such socket: " + where + " (nothing is listening there)");
    } else if (error instanceof NoRouteToHostException || message.contains("unreachable")) {
      explained = new NoRouteToHostException("no route to host: " + where);
    } else if (message.contains("permission denied")) {
      explained = new ConnectException("permission denied: " + where);
    } else {
      explained = new ConnectException("cannot connect to " + where + ": " + error.getMessage());
    }
    explained.initCause(error);
    return explained;
  }
}
