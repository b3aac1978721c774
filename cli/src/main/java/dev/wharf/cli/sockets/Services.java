package dev.wharf.cli.sockets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Service names by port and protocol, from {@code /etc/services} (services(5)): what {@code ss -r}
 * prints for a port. The first name listed for a port wins, as {@code getservbyport} answers.
 * Immutable once read; any thread.
 */
final class Services {
  private final Map<String, String> names;

  private Services(Map<String, String> names) {
    this.names = names;
  }

  /** The services in {@code file}; none if it cannot be read. */
  static Services read(Path file) {
    try {
      return parse(Files.readAllLines(file, StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      return new Services(Map.of());
    }
  }

  /** Lines of services(5): {@code name port/protocol [aliases...] [# comment]}. */
  static Services parse(List<String> lines) {
    Map<String, String> names = new HashMap<>();
    for (String line : lines) {
      int hash = line.indexOf('#');
      String[] fields = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
      if (fields.length < 2) {
        continue;
      }
      int slash = fields[1].indexOf('/');
      if (slash < 0) {
        continue;
      }
      names.putIfAbsent(
          fields[1].substring(slash + 1) + "/" + fields[1].substring(0, slash), fields[0]);
    }
    return new Services(Map.copyOf(names));
  }

  /** The name of {@code port} for {@code protocol} ({@code tcp}, {@code udp}). */
  Optional<String> name(String protocol, int port) {
    return Optional.ofNullable(names.get(protocol + "/" + port));
  }
}
