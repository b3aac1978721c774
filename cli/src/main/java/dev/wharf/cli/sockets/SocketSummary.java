package dev.wharf.cli.sockets;

import dev.wharf.cli.Json;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketListing;
import dev.wharf.inspect.SocketState;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code wharf sockets -s}: how many sockets of each kind, by family and by state, as {@code ss -s}
 * sums them up. Not thread-safe; one per listing.
 */
final class SocketSummary {
  private final Map<SocketKind, Map<SocketFamily, Integer>> byFamily =
      new EnumMap<>(SocketKind.class);
  private final Map<SocketKind, Map<SocketState, Integer>> byState =
      new EnumMap<>(SocketKind.class);
  private final int total;

  SocketSummary(List<SocketEntry> sockets) {
    for (SocketKind kind : SocketKind.values()) {
      byFamily.put(kind, new EnumMap<>(SocketFamily.class));
      byState.put(kind, new EnumMap<>(SocketState.class));
    }
    for (SocketEntry socket : sockets) {
      byFamily.get(socket.kind()).merge(socket.family(), 1, Integer::sum);
      byState.get(socket.kind()).merge(socket.state(), 1, Integer::sum);
    }
    total = sockets.size();
  }

  int count(SocketKind kind) {
    return byFamily.get(kind).values().stream().mapToInt(Integer::intValue).sum();
  }

  int count(SocketKind kind, SocketFamily family) {
    return byFamily.get(kind).getOrDefault(family, 0);
  }

  int count(SocketKind kind, SocketState state) {
    return byState.get(kind).getOrDefault(state, 0);
  }

  void writeText(SocketListing.Source source, PrintWriter out) {
    out.println(
        "Sockets: "
            + total
            + " (read from "
            + (source == SocketListing.Source.NETLINK ? "netlink sock_diag" : "/proc/net")
            + ")");
    out.println();
    out.printf("%-6s %7s %7s %7s  %s%n", "Netid", "Total", "IPv4", "IPv6", "States");
    for (SocketKind kind : SocketKind.values()) {
      String ipv4 = kind.isUnix() ? "-" : Integer.toString(count(kind, SocketFamily.IPV4));
      String ipv6 = kind.isUnix() ? "-" : Integer.toString(count(kind, SocketFamily.IPV6));
      String states =
          byState.get(kind).entrySet().stream()
              .map(e -> e.getKey().ssName() + " " + e.getValue())
              .collect(Collectors.joining(", "));
      out.println(
          String.format("%-6s %7d %7s %7s  %s", kind.netid(), count(kind), ipv4, ipv6, states)
              .stripTrailing());
    }
  }

  void writeJson(SocketListing.Source source, PrintWriter out) {
    var json = new StringBuilder();
    json.append("{\"source\":").append(Json.quote(SocketJson.sourceName(source)));
    json.append(",\"total\":").append(total).append(",\"kinds\":{");
    boolean first = true;
    for (SocketKind kind : SocketKind.values()) {
      json.append(first ? "" : ",").append(Json.quote(kind.netid())).append(":{\"total\":");
      first = false;
      json.append(count(kind));
      if (!kind.isUnix()) {
        json.append(",\"ipv4\":").append(count(kind, SocketFamily.IPV4));
        json.append(",\"ipv6\":").append(count(kind, SocketFamily.IPV6));
      }
      json.append(",\"states\":{");
      json.append(
          byState.get(kind).entrySet().stream()
              .map(e -> Json.quote(e.getKey().ssName()) + ":" + e.getValue())
              .collect(Collectors.joining(",")));
      json.append("}}");
    }
    out.println(json.append("}}"));
  }
}
