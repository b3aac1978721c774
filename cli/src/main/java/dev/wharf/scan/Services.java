package dev.wharf.scan;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * TCP or UDP service names of some ports: the system's {@code /etc/services} first, nmap's {@code
 * nmap-services} for ports it does not name. Immutable once loaded; thread-safe.
 */
public final class Services {
  public static final Path ETC_SERVICES = Path.of("/etc/services");

  private final String protocol;
  private final Map<Integer, String> names;

  private Services(String protocol, Map<Integer, String> names) {
    this.protocol = protocol;
    this.names = Map.copyOf(names);
  }

  /**
   * The names of {@code ports} of {@code protocol} ({@code tcp}, {@code udp}) in this machine's
   * files; none (every port {@code unknown}) if neither is there.
   */
  public static Services system(String protocol, int... ports) {
    return of(protocol, ports, ETC_SERVICES, TopPorts.NMAP_SERVICES);
  }

  /**
   * The names of {@code ports} in a services file and then nmap's, the first naming a port winning;
   * an unreadable one is skipped.
   */
  static Services of(String protocol, int[] ports, Path etcServices, Path nmapServices) {
    if (!protocol.equals("tcp") && !protocol.equals("udp")) {
      throw new IllegalArgumentException("protocol must be tcp or udp, got " + protocol);
    }
    var missing = new BitSet();
    for (int port : ports) {
      missing.set(port);
    }
    var names = new HashMap<Integer, String>();
    read(etcServices, false, protocol, missing, names);
    read(nmapServices, true, protocol, missing, names);
    return new Services(protocol, names);
  }

  /** The service on {@code port} of {@code protocol}, or {@code unknown} as nmap prints it. */
  public String name(String protocol, int port) {
    return protocol.equals(this.protocol) ? names.getOrDefault(port, "unknown") : "unknown";
  }

  /**
   * Names the {@code missing} ports of {@code protocol} from {@code file}, clearing each named one,
   * no further than needed: a file {@code byPort} (nmap generates its file in ascending order of
   * port) is read up to the first port past the last one missing; /etc/services, short, whose local
   * additions come at its end, to its end.
   */
  private static void read(
      Path file, boolean byPort, String protocol, BitSet missing, Map<Integer, String> into) {
    if (missing.isEmpty() || !Files.isReadable(file)) {
      return;
    }
    int wanted = protocol.equals("tcp") ? ServicesFile.TCP : ServicesFile.UDP;
    try {
      ServicesFile.read(
          file,
          (b, nameStart, nameEnd, port, lineProtocol, rest, end) -> {
            if (lineProtocol == wanted
                && missing.get(port)
                && !ServicesFile.is(b, nameStart, nameEnd, "unknown")) {
              into.put(port, new String(b, nameStart, nameEnd - nameStart, ISO_8859_1));
              missing.clear(port);
            }
            return !missing.isEmpty() && !(byPort && port > missing.length() - 1);
          });
    } catch (IOException unreadable) {
      // Names are a courtesy: without the file the ports are still scanned.
    }
  }
}
