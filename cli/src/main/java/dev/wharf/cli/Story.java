package dev.wharf.cli;

import dev.wharf.core.Addresses;
import dev.wharf.core.CloseReason;
import dev.wharf.core.ConnectionInfo;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Transport;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The story of a command's sockets, told on stderr under {@code -v} and silent otherwise: what an
 * address resolved to, which one was chosen, the local port, the options, the time to connect, and
 * on close the bytes each way and who closed first.
 *
 * <p>Any thread; each line is printed whole.
 */
public final class Story {
  private final PrintWriter err;
  private final String command;
  private final boolean on;

  public Story(PrintWriter err, String command, boolean on) {
    this.err = err;
    this.command = command;
    this.on = on;
  }

  public boolean isOn() {
    return on;
  }

  public void tell(String line) {
    if (on) {
      announce(line);
    }
  }

  /**
   * A line told even without {@code -v}: one the user has no other way to learn, such as a TLS
   * option's warning.
   */
  public void announce(String line) {
    synchronized (err) {
      err.println("wharf " + command + ": " + line);
      err.flush();
    }
  }

  /** A line printed as is, without the command's name (as nc prints its "succeeded!"). */
  public void tellPlain(String line) {
    if (on) {
      synchronized (err) {
        err.println(line);
        err.flush();
      }
    }
  }

  public void resolved(String host, List<? extends SocketAddress> all) {
    if (on) {
      tell(
          "resolved "
              + host
              + " to "
              + all.stream()
                  .map(a -> host(((InetSocketAddress) a)))
                  .collect(Collectors.joining(", ")));
    }
  }

  public void options(SocketOptions options) {
    if (on) {
      tell(
          "options: "
              + options.describe().entrySet().stream()
                  .map(e -> e.getKey() + "=" + e.getValue())
                  .collect(Collectors.joining(" ")));
    }
  }

  public void closed(ConnectionInfo info, CloseReason reason) {
    if (on) {
      tell(closing(info, reason));
    }
  }

  /** One line about a closed connection: why, the bytes each way and who keeps TIME-WAIT. */
  public static String closing(ConnectionInfo info, CloseReason reason) {
    var line = new StringBuilder("closed");
    if (reason.isFailure()) {
      line.append(" (").append(reason).append(')');
    }
    line.append(": ")
        .append(info.bytesOut())
        .append(" bytes sent, ")
        .append(info.bytesIn())
        .append(" received; ");
    boolean tcp = info.transport() == Transport.TCP;
    line.append(
        switch (info.closedFirst()) {
          case LOCAL -> tcp ? "we closed first; our side keeps TIME-WAIT" : "we closed first";
          case PEER ->
              tcp ? "the peer closed first; its side keeps TIME-WAIT" : "the peer closed first";
          case NOT_YET -> "neither side has closed yet";
        });
    return line.toString();
  }

  /** An address as people write it: {@code 127.0.0.1:80}, {@code [::1]:80}, a socket path. */
  public static String format(SocketAddress address) {
    if (address instanceof UnixDomainSocketAddress unix && unix.getPath().toString().isEmpty()) {
      return "(unnamed)"; // A Unix client socket is rarely bound to a file.
    }
    return Addresses.format(address);
  }

  private static String host(InetSocketAddress inet) {
    return inet.getAddress() == null ? inet.getHostString() : Addresses.host(inet.getAddress());
  }

  /** Milliseconds with one decimal, as ping prints them. */
  public static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }
}
