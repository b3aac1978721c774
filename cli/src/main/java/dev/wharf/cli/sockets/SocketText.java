package dev.wharf.cli.sockets;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.Owner;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketTimer;
import dev.wharf.inspect.TcpInfo;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How one socket's fields read as text, close to {@code ss}: endpoints (with service names under
 * {@code -r}), owners, timers and {@code tcp_info}. Keeps the text of each address it has written,
 * so it is not thread-safe: one thread (a listing, or a {@code --watch}) uses it.
 */
final class SocketText {
  private final Optional<Services> services;

  /**
   * Addresses as text, bracketed when IPv6: a machine's tens of thousands of sockets have few
   * addresses, and formatting one again for each row was a good part of writing the table.
   */
  private final Map<InetAddress, String> hosts = new HashMap<>();

  /** Text with port numbers, or with service names from {@code services}. */
  SocketText(Optional<Services> services) {
    this.services = services;
  }

  /** {@code 127.0.0.1:80}, {@code [::1]:https} under -r, {@code /run/x.sock 1234}. */
  String endpoint(SocketKind kind, Endpoint endpoint) {
    if (!(endpoint instanceof Endpoint.Inet inet)) {
      return endpoint.text();
    }
    // ss prints a dual-stack wildcard (:: taking IPv4 too) as "*".
    String host = inet.dualStack() ? "*" : hosts.get(inet.address());
    if (host == null) {
      host = inet.address() instanceof Inet6Address ? "[" + inet.host() + "]" : inet.host();
      hosts.put(inet.address(), host);
    }
    int port = inet.port();
    if (port == 0) {
      return host + ":*";
    }
    if (services.isPresent() && (kind == SocketKind.TCP || kind == SocketKind.UDP)) {
      Optional<String> name = services.get().name(kind.netid(), port);
      if (name.isPresent()) {
        return host + ":" + name.get();
      }
    }
    return host + ":" + port;
  }

  /** {@code users:(("sshd",pid=812,fd=3))}, as ss -p; empty when there are none. */
  static String owners(SocketEntry socket) {
    List<Owner> owners = socket.owners();
    if (owners.isEmpty()) {
      return "";
    }
    // A loop, not a stream: it runs once a row, mostly interpreted, where a stream's pipeline,
    // lambdas and joiner cost several times the text they make.
    StringBuilder text = new StringBuilder(32 * owners.size() + 8).append("users:(");
    for (int i = 0; i < owners.size(); i++) {
      Owner owner = owners.get(i);
      if (i > 0) {
        text.append(',');
      }
      text.append("(\"")
          .append(owner.command())
          .append("\",pid=")
          .append(owner.pid())
          .append(",fd=")
          .append(owner.fd())
          .append(')');
    }
    return text.append(')').toString();
  }

  /** {@code timer:(keepalive,7.1s,0)}, as ss -o with plainer times; empty without a timer. */
  static String timer(SocketEntry socket) {
    return socket
        .timer()
        .map(
            timer ->
                "timer:("
                    + timer.kind().ssName()
                    + ","
                    + duration(timer.remaining().toMillis())
                    + ","
                    + timer.retransmits()
                    + ")")
        .orElse("");
  }

  /** {@code 345ms}, {@code 7.1s}, {@code 1min28s}. */
  static String duration(long millis) {
    if (millis < 1000) {
      return millis + "ms";
    }
    long minutes = millis / 60_000;
    long rest = millis % 60_000;
    if (minutes > 0) {
      return minutes + "min" + (rest / 1000 == 0 ? "" : rest / 1000 + "s");
    }
    long tenths = (millis % 1000) / 100;
    return millis / 1000 + (tenths == 0 ? "" : "." + tenths) + "s";
  }

  /** ss -i's line: {@code rtt:0.039/0.019 rto:200 mss:32741 cwnd:10 ...}. */
  static String tcpInfo(TcpInfo info) {
    return "rtt:"
        + millis(info.rttMicros())
        + "/"
        + millis(info.rttVarMicros())
        + " rto:"
        + millis(info.rtoMicros())
        + " mss:"
        + info.sendMss()
        + " cwnd:"
        + info.congestionWindow()
        + (info.slowStartThreshold() < Integer.MAX_VALUE
            ? " ssthresh:" + info.slowStartThreshold()
            : "")
        + " retrans:"
        + info.retransmits()
        + "/"
        + info.totalRetransmits()
        + " lost:"
        + info.lost()
        + " unacked:"
        + info.unacked()
        + " bytes_acked:"
        + info.bytesAcked()
        + " bytes_received:"
        + info.bytesReceived()
        + " delivery_rate:"
        + bitsPerSecond(info.deliveryRateBytesPerSecond())
        + (info.minRttMicros() != 0xFFFF_FFFFL ? " minrtt:" + millis(info.minRttMicros()) : "");
  }

  /** Microseconds as milliseconds, as ss writes them ({@code 0.039}, {@code 200}). */
  private static String millis(long micros) {
    String text = String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    text = text.replaceAll("0+$", "");
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  /** ss writes rates in bits per second with a unit: {@code 2.3Gbps}. */
  static String bitsPerSecond(long bytesPerSecond) {
    double bits = bytesPerSecond * 8.0;
    String[] units = {"bps", "Kbps", "Mbps", "Gbps", "Tbps"};
    int unit = 0;
    while (bits >= 1000 && unit < units.length - 1) {
      bits /= 1000;
      unit++;
    }
    return unit == 0
        ? (long) bits + units[0]
        : String.format(Locale.ROOT, "%.1f%s", bits, units[unit]);
  }

  /** The timer's kind as the JSON names it. */
  static String timerName(SocketTimer timer) {
    return timer.kind().ssName();
  }
}
