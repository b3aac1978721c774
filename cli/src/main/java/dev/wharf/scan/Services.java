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
    var names = new HashMap<String, String>();
    read(ETC_SERVICES, names);
    read(TopPorts.NMAP_SERVICES, names);
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
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        int hash = line.indexOf('#');
        String[] fields = (hash >= 0 ? line.substring(0, hash) : line).strip().split("\\s+");
        if (fields.length < 2 || !(fields[1].endsWith("/tcp") || fields[1].endsWith("/udp"))) {
          continue;
        }
        try {
          int port = Integer.parseInt(fields[1].substring(0, fields[1].indexOf('/')));
          if (!fields[0].equals("unknown")) {
            into.putIfAbsent(port + fields[1].substring(fields[1].indexOf('/')), fields[0]);
          }
        } catch (NumberFormatException skipped) {
          // Not a line of the format: the rest of the file still counts.
        }
      }
    } catch (IOException unreadable) {
      // Names are a courtesy: without the file the ports are still scanned.
    }
  }
}
