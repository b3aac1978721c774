package dev.wharf.scan;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * TCP and UDP service names by port: the system's {@code /etc/services} first, nmap's {@code
 * nmap-services} for ports it does not name. Immutable once loaded; thread-safe.
 */
public final class Services {
  public static final Path ETC_SERVICES = Path.of("/etc/services");

  private final Map<String, String> names; // by "PORT/PROTOCOL"

  private Services(Map<String, String> names) {
    this.names = Map.copyOf(names);
  }

  /** The names of this machine's files; none (every port {@code unknown}) if neither is there. */
  public static Services system() {
    return of(ETC_SERVICES, TopPorts.NMAP_SERVICES);
  }

  /** The names of services files, the first naming a port winning; unreadable ones are skipped. */
  static Services of(Path... files) {
    var names = new HashMap<String, String>();
    for (Path file : files) {
      read(file, names);
    }
    return new Services(names);
  }

  /** The TCP service on {@code port}, or {@code unknown} as nmap prints it. */
  public String name(int port) {
    return name("tcp", port);
  }

  /**
   * The service on {@code port} of {@code protocol} ({@code tcp}, {@code udp}), or {@code unknown}.
   */
  public String name(String protocol, int port) {
    return names.getOrDefault(port + "/" + protocol, "unknown");
  }

  /**
   * Adds the TCP and UDP names of a services file ({@code name port/proto ...}) not already known.
   */
  private static void read(Path file, Map<String, String> into) {
    if (!Files.isReadable(file)) {
      return;
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      // By hand, not with a regular expression: nmap's file has 27,000 lines, read at every
      // scan's start, before the JIT compiler has looked at anything.
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        int end = line.indexOf('#');
        end = end < 0 ? line.length() : end;
        int nameStart = skipSpace(line, 0, end);
        int nameEnd = skipWord(line, nameStart, end);
        int portStart = skipSpace(line, nameEnd, end);
        int portEnd = skipWord(line, portStart, end);
        int slash = line.indexOf('/', portStart);
        if (nameEnd == nameStart || slash < 0 || slash >= portEnd) {
          continue;
        }
        String protocol = line.substring(slash, portEnd);
        if (!(protocol.equals("/tcp") || protocol.equals("/udp"))) {
          continue;
        }
        try {
          int port = Integer.parseInt(line, portStart, slash, 10);
          String name = line.substring(nameStart, nameEnd);
          if (!name.equals("unknown")) {
            into.putIfAbsent(port + protocol, name);
          }
        } catch (NumberFormatException skipped) {
          // Not a line of the format: the rest of the file still counts.
        }
      }
    } catch (IOException unreadable) {
      // Names are a courtesy: without the file the ports are still scanned.
    }
  }

  private static int skipSpace(String line, int from, int end) {
    while (from < end && Character.isWhitespace(line.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int skipWord(String line, int from, int end) {
    while (from < end && !Character.isWhitespace(line.charAt(from))) {
      from++;
    }
    return from;
  }
}
