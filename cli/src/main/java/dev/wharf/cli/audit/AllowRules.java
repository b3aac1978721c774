package dev.wharf.cli.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What may be reachable from outside without failing the audit: ports ({@code 22}), ports of one
 * protocol ({@code 53/udp}), ranges ({@code 8000-8099}) and process names ({@code nginx}, as {@code
 * /proc/PID/comm} gives them). From {@code --allow} and from a file, read by {@link #read}.
 * Immutable; any thread.
 */
record AllowRules(List<Rule> rules) {

  /** The name of the rules' file format in messages and docs. */
  static final String FORMAT =
      "one 'allow RULE...' per line, RULE a PORT, PORT/tcp, PORT/udp, FIRST-LAST or a process"
          + " name; # starts a comment";

  private static final Pattern PORTS = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/(tcp|udp))?");

  AllowRules {
    rules = List.copyOf(rules);
  }

  static AllowRules none() {
    return new AllowRules(List.of());
  }

  /** One rule and where it came from ({@code --allow 22}, {@code audit.conf:3}). */
  sealed interface Rule {
    String origin();

    /** Ports {@code first} to {@code last}, of {@code protocol} or both when empty. */
    record Ports(int first, int last, Optional<String> protocol, String origin) implements Rule {}

    /** A process, by the command name the kernel keeps for it. */
    record Process(String command, String origin) implements Rule {}
  }

  /**
   * The rule a written {@code token} stands for.
   *
   * @throws IllegalArgumentException when it is no rule, saying where it came from
   */
  static Rule parse(String token, String origin) {
    String text = token.strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException(origin + ": an empty rule");
    }
    Matcher m = PORTS.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      int first = port(m.group(1), origin);
      int last = m.group(2) == null ? first : port(m.group(2), origin);
      if (last < first) {
        throw new IllegalArgumentException(
            origin + ": the range " + text + " ends before it starts");
      }
      return new Rule.Ports(first, last, Optional.ofNullable(m.group(3)), origin);
    }
    if (Character.isDigit(text.charAt(0)) || text.contains("/")) {
      throw new IllegalArgumentException(
          origin
              + ": '"
              + text
              + "' is neither a PORT, PORT/tcp, PORT/udp, FIRST-LAST nor a process");
    }
    return new Rule.Process(text, origin);
  }

  private static int port(String digits, String origin) {
    int port = digits.length() > 5 ? 70_000 : Integer.parseInt(digits);
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(origin + ": port must be 1-65535, got " + digits);
    }
    return port;
  }

  /** The rules of {@code --allow} options, each a rule or comma-separated rules. */
  static AllowRules ofOptions(List<String> options) {
    var rules = new ArrayList<Rule>();
    for (String option : options) {
      for (String token : option.split(",", -1)) {
        rules.add(parse(token, "--allow " + token.strip()));
      }
    }
    return new AllowRules(rules);
  }

  /**
   * The rules of a file in the {@link #FORMAT}:
   *
   * <pre>
   * # what may be reachable from outside this host
   * allow 22 443       # ssh and https
   * allow 53/udp nginx
   * </pre>
   *
   * @throws IllegalArgumentException for a line that is not in the format, naming file and line
   * @throws IOException when the file cannot be read
   */
  static AllowRules read(Path file) throws IOException {
    var rules = new ArrayList<Rule>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String[] words = (hash >= 0 ? line.substring(0, hash) : line).strip().split("\\s+");
      String where = file + ":" + (i + 1);
      if (words.length == 1 && words[0].isEmpty()) {
        continue;
      }
      if (!words[0].equals("allow")) {
        throw new IllegalArgumentException(
            where + ": expected 'allow RULE...', got '" + line.strip() + "'");
      }
      if (words.length == 1) {
        throw new IllegalArgumentException(where + ": 'allow' needs at least one RULE");
      }
      for (int w = 1; w < words.length; w++) {
        rules.add(parse(words[w], where));
      }
    }
    return new AllowRules(rules);
  }

  AllowRules and(AllowRules more) {
    var all = new ArrayList<>(rules);
    all.addAll(more.rules);
    return new AllowRules(all);
  }

  /**
   * The first rule that allows a socket on {@code port} of {@code protocol} held by {@code
   * commands}.
   */
  Optional<Rule> allowing(String protocol, int port, List<String> commands) {
    for (Rule rule : rules) {
      boolean allows =
          switch (rule) {
            case Rule.Ports ports ->
                port >= ports.first()
                    && port <= ports.last()
                    && ports.protocol().map(protocol::equals).orElse(true);
            // Any of its holders: with socket activation, systemd and the service hold it both.
            case Rule.Process process -> commands.contains(process.command());
          };
      if (allows) {
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }
}
