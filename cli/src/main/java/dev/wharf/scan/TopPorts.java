package dev.wharf.scan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;

/**
 * The TCP ports most often found open, as nmap's {@code --top-ports} picks them: ordered by the
 * open frequency nmap measured (the third column of {@code nmap-services}). Read from nmap's file
 * when it is installed, else from a list generated from it and shipped in the jar ({@code
 * top-tcp-ports.txt}). Stateless; thread-safe.
 */
public final class TopPorts {
  /** Where Debian's nmap keeps its service table. */
  public static final Path NMAP_SERVICES = Path.of("/usr/share/nmap/nmap-services");

  private static final String BUILT_IN = "top-tcp-ports.txt";

  private TopPorts() {}

  /** Where a list came from, for {@code -v}. */
  public record Source(PortList ports, String origin) {}

  /**
   * Common UDP ports, for a machine without nmap's file: DNS, DHCP, TFTP, NTP, NetBIOS, SNMP, IKE,
   * syslog, RIP, IPP, MS SQL, SSDP, NAT-T, mDNS, LLMNR, in nmap's order of frequency.
   */
  private static final int[] COMMON_UDP = {
    631, 161, 137, 123, 138, 1434, 445, 135, 67, 53, 139, 500, 68, 520, 1900, 4500, 514, 49152, 162,
    69, 5353, 111, 5355
  };

  /** The {@code count} most common TCP ports, from nmap's file if present, else built in. */
  public static Source top(int count) {
    return top(count, "tcp");
  }

  /**
   * The {@code count} most common ports of {@code protocol} ({@code tcp} or {@code udp}), from
   * nmap's file if present, else built in (for UDP, a short list of the commonest).
   */
  public static Source top(int count, String protocol) {
    if (Files.isReadable(NMAP_SERVICES)) {
      try {
        return new Source(
            PortList.of(fromNmapServices(NMAP_SERVICES, count, protocol)),
            NMAP_SERVICES.toString());
      } catch (IOException | RuntimeException unreadable) {
        // A damaged file: the built-in list says the same, as of when it was generated.
      }
    }
    if (protocol.equals("udp")) {
      return new Source(
          PortList.of(java.util.Arrays.copyOf(COMMON_UDP, Math.min(count, COMMON_UDP.length))),
          "a built-in list of common UDP ports (nmap's file is not installed)");
    }
    return new Source(PortList.of(builtIn(count)), "built-in list from nmap-services");
  }

  /**
   * The {@code count} ports of {@code protocol} ({@code tcp}, {@code udp}) of highest open
   * frequency in an {@code nmap-services} file ({@code name port/proto frequency [# comment]}),
   * most frequent first; ties keep the file's order (by port), as nmap's stable sort does. Read as
   * bytes ({@link ServicesFile}): splitting its 27,000 lines with a regular expression was most of
   * a default scan's start.
   */
  static int[] fromNmapServices(Path file, int count, String protocol) throws IOException {
    int wanted = protocol.equals("tcp") ? ServicesFile.TCP : ServicesFile.UDP;
    record Entry(int port, double frequency) {}
    var entries = new ArrayList<Entry>();
    ServicesFile.read(
        file,
        (b, nameStart, nameEnd, port, lineProtocol, rest, end) -> {
          double frequency = lineProtocol == wanted ? ServicesFile.decimal(b, rest, end) : -1;
          if (frequency >= 0) {
            entries.add(new Entry(port, frequency));
          }
          return true;
        });
    entries.sort(Comparator.comparingDouble(Entry::frequency).reversed()); // stable
    int[] ports = new int[Math.min(count, entries.size())];
    for (int i = 0; i < ports.length; i++) {
      ports[i] = entries.get(i).port();
    }
    return ports;
  }

  private static int[] builtIn(int count) {
    var stream = TopPorts.class.getResourceAsStream(BUILT_IN);
    if (stream == null) {
      throw new IllegalStateException(BUILT_IN + " is missing from the jar");
    }
    try (var in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.US_ASCII))) {
      return in.lines()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .limit(count)
          .mapToInt(line -> Integer.parseInt(line.strip()))
          .toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
