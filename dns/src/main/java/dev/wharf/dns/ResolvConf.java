package dev.wharf.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the resolver takes from {@code /etc/resolv.conf} (resolv.conf(5)): the {@code nameserver}
 * lines (port 53) and the {@code options timeout:n attempts:n}. Other lines are ignored.
 *
 * <p>Immutable; any thread.
 */
public record ResolvConf(List<InetSocketAddress> servers, Duration timeout, int attempts) {
  public static final Path SYSTEM_FILE = Path.of("/etc/resolv.conf");

  /** resolv.conf(5)'s defaults: 5 s per try, 2 tries, and the local server when none is named. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public static final int DEFAULT_ATTEMPTS = 2;

  /** resolv.conf(5): at most 3 name servers are used; timeout is capped at 30, attempts at 5. */
  private static final int MAX_SERVERS = 3;

  public ResolvConf {
    servers = List.copyOf(servers);
  }

  /** The system's configuration; the defaults when the file is missing. */
  public static ResolvConf system() throws IOException {
    try {
      return parse(Files.readString(SYSTEM_FILE));
    } catch (NoSuchFileException missing) {
      return parse("");
    }
  }

  public static ResolvConf parse(String text) {
    var servers = new ArrayList<InetSocketAddress>();
    Duration timeout = DEFAULT_TIMEOUT;
    int attempts = DEFAULT_ATTEMPTS;
    for (String line : text.split("\n")) {
      String[] words = line.strip().split("\\s+");
      if (words.length < 2 || words[0].startsWith("#") || words[0].startsWith(";")) {
        continue;
      }
      switch (words[0]) {
        case "nameserver" -> {
          InetAddress address = literal(words[1]);
          if (address != null && servers.size() < MAX_SERVERS) {
            servers.add(new InetSocketAddress(address, 53));
          }
        }
        case "options" -> {
          for (int i = 1; i < words.length; i++) {
            int timeoutValue = option(words[i], "timeout:", 30);
            if (timeoutValue >= 0) {
              timeout = Duration.ofSeconds(Math.max(1, timeoutValue));
            }
            int attemptsValue = option(words[i], "attempts:", 5);
            if (attemptsValue >= 0) {
              attempts = Math.max(1, attemptsValue);
            }
          }
        }
        default -> {}
      }
    }
    if (servers.isEmpty()) {
      servers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53));
    }
    return new ResolvConf(servers, timeout, attempts);
  }

  /** An address literal (an IPv6 one may carry a %zone), or null for anything else. */
  static InetAddress literal(String text) {
    try {
      return InetAddress.ofLiteral(text);
    } catch (IllegalArgumentException notLiteral) {
      return null;
    }
  }

  private static int option(String word, String prefix, int cap) {
    if (!word.startsWith(prefix)) {
      return -1;
    }
    try {
      return Math.min(cap, Integer.parseInt(word.substring(prefix.length())));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
