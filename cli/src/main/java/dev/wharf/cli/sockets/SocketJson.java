package dev.wharf.cli.sockets;

import dev.wharf.cli.Json;
import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.Owner;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketListing;
import dev.wharf.inspect.TcpInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Sockets as JSON ({@code --json}), one object per socket on a line of its own inside one document.
 * The field names are documented in docs/cli.md and stay stable. Stateless; any thread.
 */
final class SocketJson {
  private SocketJson() {}

  /** {@code {"source":"netlink","sockets":[...]}}. */
  static void write(SocketListing.Source source, List<SocketEntry> sockets, PrintWriter out) {
    out.print("{\"source\":" + Json.quote(sourceName(source)) + ",\"sockets\":[");
    for (int i = 0; i < sockets.size(); i++) {
      out.print(i == 0 ? "\n" : ",\n");
      out.print(socket(sockets.get(i)));
    }
    out.println(sockets.isEmpty() ? "]}" : "\n]}");
  }

  static String sourceName(SocketListing.Source source) {
    return source == SocketListing.Source.NETLINK ? "netlink" : "proc";
  }

  static String socket(SocketEntry socket) {
    var json = new StringBuilder(256);
    json.append("{\"netid\":").append(Json.quote(socket.kind().netid()));
    json.append(",\"family\":").append(Json.quote(family(socket.family())));
    json.append(",\"state\":").append(Json.quote(socket.state().ssName()));
    json.append(",\"recv_q\":").append(socket.receiveQueue());
    json.append(",\"send_q\":").append(socket.sendQueue());
    json.append(",\"local\":").append(endpoint(socket.local()));
    json.append(",\"peer\":").append(endpoint(socket.peer()));
    json.append(",\"inode\":").append(socket.inode());
    json.append(",\"uid\":").append(socket.uid() < 0 ? "null" : Integer.toString(socket.uid()));
    json.append(",\"timer\":");
    socket
        .timer()
        .ifPresentOrElse(
            timer ->
                json.append("{\"name\":")
                    .append(Json.quote(timer.kind().ssName()))
                    .append(",\"remaining_ms\":")
                    .append(timer.remaining().toMillis())
                    .append(",\"retransmits\":")
                    .append(timer.retransmits())
                    .append('}'),
            () -> json.append("null"));
    json.append(",\"owners\":[");
    List<Owner> owners = socket.owners();
    for (int i = 0; i < owners.size(); i++) {
      Owner owner = owners.get(i);
      json.append(i == 0 ? "" : ",")
          .append("{\"pid\":")
          .append(owner.pid())
          .append(",\"command\":")
          .append(Json.quote(owner.command()))
          .append(",\"fd\":")
          .append(owner.fd())
          .append('}');
    }
    json.append(']');
    socket.tcpInfo().ifPresent(info -> json.append(",\"tcp_info\":").append(tcpInfo(info)));
    return json.append('}').toString();
  }

  private static String family(SocketFamily family) {
    return family.name().toLowerCase(Locale.ROOT);
  }

  /**
   * {@code {"address":"::1","port":80}} or {@code {"path":"/run/x.sock","inode":42}}; the IPv6
   * wildcard of a socket that takes IPv4 too (not IPV6_V6ONLY, ss's {@code *}) adds {@code
   * "dual_stack":true}, which {@code "::"} alone would not tell.
   */
  static String endpoint(Endpoint endpoint) {
    return switch (endpoint) {
      case Endpoint.Inet inet ->
          "{\"address\":"
              + Json.quote(inet.host())
              + ",\"port\":"
              + inet.port()
              + (inet.dualStack() ? ",\"dual_stack\":true}" : "}");
      case Endpoint.Unix unix ->
          "{\"path\":"
              + (unix.name().isEmpty() ? "null" : Json.quote(unix.name()))
              + ",\"inode\":"
              + unix.inode()
              + "}";
    };
  }

  private static String tcpInfo(TcpInfo info) {
    return "{\"rtt_us\":"
        + info.rttMicros()
        + ",\"rttvar_us\":"
        + info.rttVarMicros()
        + ",\"min_rtt_us\":"
        + info.minRttMicros()
        + ",\"rto_us\":"
        + info.rtoMicros()
        + ",\"mss\":"
        + info.sendMss()
        + ",\"cwnd\":"
        + info.congestionWindow()
        + ",\"ssthresh\":"
        + info.slowStartThreshold()
        + ",\"unacked\":"
        + info.unacked()
        + ",\"lost\":"
        + info.lost()
        + ",\"retransmits\":"
        + info.retransmits()
        + ",\"total_retransmits\":"
        + info.totalRetransmits()
        + ",\"bytes_acked\":"
        + info.bytesAcked()
        + ",\"bytes_received\":"
        + info.bytesReceived()
        + ",\"delivery_rate_bytes_per_s\":"
        + info.deliveryRateBytesPerSecond()
        + "}";
  }
}
