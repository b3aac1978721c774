package dev.wharf.cli.scan;

import dev.wharf.cli.Json;
import dev.wharf.scan.PortResult;
import dev.wharf.scan.PortState;
import dev.wharf.scan.Services;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * A finished scan as the user reads it: nmap's table (open ports, the rest counted) or one JSON
 * object. Immutable; used on the command's thread.
 *
 * @param protocol {@code tcp} or {@code udp}
 */
record ScanReport(
    String protocol,
    String host,
    InetAddress address,
    List<PortResult> results,
    Services services,
    Duration took) {

  /** The states this protocol's scan can find: open|filtered for UDP only. */
  private List<PortState> states() {
    return protocol.equals("udp")
        ? List.of(PortState.values())
        : List.of(PortState.OPEN, PortState.CLOSED, PortState.FILTERED);
  }

  /** The ports listed: every one when verbose, else the open ones (as nmap hides the rest). */
  List<PortResult> listed(boolean verbose) {
    return listed(results, verbose);
  }

  /** The {@code results} a report lists: every one when verbose, else the open ones. */
  static List<PortResult> listed(List<PortResult> results, boolean verbose) {
    return results.stream().filter(r -> verbose || r.state() == PortState.OPEN).toList();
  }

  Map<PortState, Integer> counts() {
    var counts = new EnumMap<PortState, Integer>(PortState.class);
    for (PortState state : PortState.values()) {
      counts.put(state, 0);
    }
    results.forEach(r -> counts.merge(r.state(), 1, Integer::sum));
    return counts;
  }

  private String target() {
    String literal = literal(address);
    return host.equals(literal) ? literal : host + " (" + literal + ")";
  }

  /** The address as people write it: IPv6 in RFC 5952's form ({@code ::1}). */
  static String literal(InetAddress address) {
    String full = address.getHostAddress();
    if (!(address instanceof java.net.Inet6Address)) {
      return full;
    }
    String[] groups = full.replaceFirst("%.*", "").split(":");
    // RFC 5952 §4.2: the longest run of two or more zero groups (the first of equals) becomes ::.
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < groups.length; ) {
      int j = i;
      while (j < groups.length && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    if (bestStart < 0) {
      return String.join(":", groups);
    }
    return String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart))
        + "::"
        + String.join(
            ":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
  }

  void printTable(PrintWriter out, boolean verbose) {
    out.println("wharf scan report for " + target());
    if (!verbose) {
      var hidden = new StringJoiner(", ");
      for (PortState state : states().subList(1, states().size())) {
        var reasons = new TreeMap<String, Integer>();
        results.stream()
            .filter(r -> r.state() == state)
            .forEach(r -> reasons.merge(r.reason(), 1, Integer::sum));
        int count = reasons.values().stream().mapToInt(Integer::intValue).sum();
        if (count > 0) {
          hidden.add(
              count
                  + " "
                  + state.label()
                  + " "
                  + protocol
                  + " port"
                  + (count == 1 ? "" : "s")
                  + " ("
                  + String.join(", ", reasons.keySet())
                  + ")");
        }
      }
      if (hidden.length() > 0) {
        out.println("Not shown: " + hidden);
      }
    }
    List<PortResult> listed = listed(verbose);
    if (!listed.isEmpty()) {
      boolean banners = listed.stream().anyMatch(r -> !r.banner().isEmpty());
      String format = protocol.equals("udp") ? "%-9s %-13s %-15s%s%n" : "%-9s %-8s %-15s%s%n";
      out.print(
          String.format(format, "PORT", "STATE", "SERVICE", banners ? " BANNER" : "").strip()
              + "\n");
      for (PortResult r : listed) {
        String line =
            String.format(
                format,
                r.port() + "/" + protocol,
                r.state().label(),
                services.name(protocol, r.port()),
                r.banner().isEmpty() ? "" : " " + r.banner());
        out.print(line.strip() + "\n");
      }
    }
    Map<PortState, Integer> counts = counts();
    out.println(
        "wharf done: "
            + results.size()
            + (results.size() == 1 ? " port of " : " ports of ")
            + literal(address)
            + " scanned in "
            + seconds()
            + " s: "
            + counts.get(PortState.OPEN)
            + " open, "
            + counts.get(PortState.CLOSED)
            + " closed, "
            + counts.get(PortState.FILTERED)
            + " filtered"
            + (states().contains(PortState.OPEN_FILTERED)
                ? ", " + counts.get(PortState.OPEN_FILTERED) + " open|filtered"
                : ""));
  }

  private String seconds() {
    return String.format(Locale.ROOT, "%.2f", took.toNanos() / 1e9);
  }

  String json(boolean verbose) {
    var ports = new StringJoiner(",", "[", "]");
    for (PortResult r : listed(verbose)) {
      ports.add(
          "{\"port\":"
              + r.port()
              + ",\"protocol\":\""
              + protocol
              + "\",\"state\":\""
              + r.state().label()
              + "\",\"reason\":"
              + Json.quote(r.reason())
              + ",\"service\":"
              + Json.quote(services.name(protocol, r.port()))
              + (r.banner().isEmpty() ? "" : ",\"banner\":" + Json.quote(r.banner()))
              + "}");
    }
    Map<PortState, Integer> counts = counts();
    return "{\"host\":"
        + Json.quote(host)
        + ",\"protocol\":"
        + Json.quote(protocol)
        + ",\"address\":"
        + Json.quote(literal(address))
        + ",\"scanned\":"
        + results.size()
        + ",\"open\":"
        + counts.get(PortState.OPEN)
        + ",\"closed\":"
        + counts.get(PortState.CLOSED)
        + ",\"filtered\":"
        + counts.get(PortState.FILTERED)
        + (states().contains(PortState.OPEN_FILTERED)
            ? ",\"open_filtered\":" + counts.get(PortState.OPEN_FILTERED)
            : "")
        + ",\"seconds\":"
        + seconds()
        + ",\"ports\":"
        + ports
        + "}";
  }
}
