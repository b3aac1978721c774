package dev.wharf.scan;

import java.io.IOException;
import java.io.InputStream;
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
   * Names the {@code missing} ports ({@code name port/proto ...} lines) from {@code file}, clearing
   * each named one. Bytes, by hand, and no further than needed: nmap's file has 27,000 lines (1
   * MB), read at a scan's start before the JIT compiler has looked at anything, where splitting
   * each line cost 80-110 ms of CPU. A file {@code byPort} (nmap generates its file in ascending
   * order of port) is read up to the first port past the last one missing; /etc/services, short,
   * whose local additions come at its end, to its end.
   */
  private static void read(
      Path file, boolean byPort, String protocol, BitSet missing, Map<Integer, String> into) {
    if (missing.isEmpty() || !Files.isReadable(file)) {
      return;
    }
    byte wanted = (byte) protocol.charAt(0); // 't' or 'u': checked below with the rest
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[16_384];
      int filled = 0;
      while (true) {
        int read = in.read(buffer, filled, buffer.length - filled);
        if (read < 0) {
          if (filled > 0) {
            line(buffer, 0, filled, wanted, missing, into);
          }
          return;
        }
        filled += read;
        int start = 0;
        for (int i = 0; i < filled; i++) {
          if (buffer[i] != '\n') {
            continue;
          }
          int port = line(buffer, start, i, wanted, missing, into);
          start = i + 1;
          if (missing.isEmpty()) {
            return;
          }
          if (byPort && port > missing.length() - 1) {
            return;
          }
        }
        // A line longer than the buffer is no services line: dropped, the next one still counts.
        filled -= start;
        System.arraycopy(buffer, start, buffer, 0, filled);
        if (filled == buffer.length) {
          filled = 0;
        }
      }
    } catch (IOException unreadable) {
      // Names are a courtesy: without the file the ports are still scanned.
    }
  }

  /**
   * Reads the line {@code [from, to)}: names its port when it is of the {@code wanted} protocol and
   * missing. Returns its port, or 0 for a comment or a line of another format.
   */
  private static int line(
      byte[] b, int from, int to, byte wanted, BitSet missing, Map<Integer, String> into) {
    int nameStart = skipSpace(b, from, to);
    int nameEnd = skipWord(b, nameStart, to);
    if (nameEnd == nameStart) {
      return 0;
    }
    int at = skipSpace(b, nameEnd, to);
    int port = 0;
    int digits = 0;
    while (at < to && b[at] >= '0' && b[at] <= '9' && digits < 6) {
      port = port * 10 + (b[at++] - '0');
      digits++;
    }
    if (digits == 0 || port > PortList.MAX_PORT || at + 4 > to || b[at] != '/') {
      return 0;
    }
    boolean protocolEnds = at + 4 == to || isSpace(b[at + 4]) || b[at + 4] == '#';
    boolean isWanted =
        protocolEnds
            && b[at + 1] == wanted
            && (wanted == 't' ? b[at + 2] == 'c' : b[at + 2] == 'd')
            && b[at + 3] == 'p';
    if (isWanted && missing.get(port) && !isUnknown(b, nameStart, nameEnd)) {
      into.put(
          port,
          new String(
              b, nameStart, nameEnd - nameStart, java.nio.charset.StandardCharsets.ISO_8859_1));
      missing.clear(port);
    }
    return port;
  }

  /** nmap's file names ports it knows nothing of {@code unknown}: not a name to take. */
  private static boolean isUnknown(byte[] b, int from, int to) {
    return to - from == 7
        && b[from] == 'u'
        && b[from + 1] == 'n'
        && b[from + 2] == 'k'
        && b[from + 3] == 'n'
        && b[from + 4] == 'o'
        && b[from + 5] == 'w'
        && b[from + 6] == 'n';
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\r';
  }

  private static int skipSpace(byte[] b, int from, int to) {
    while (from < to && isSpace(b[from])) {
      from++;
    }
    return from;
  }

  /** The end of a word: space, or a comment that starts right after it. */
  private static int skipWord(byte[] b, int from, int to) {
    if (from < to && b[from] == '#') {
      return from;
    }
    while (from < to && !isSpace(b[from]) && b[from] != '#') {
      from++;
    }
    return from;
  }
}
