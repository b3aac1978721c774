package dev.wharf.cli.dns;

import dev.wharf.cli.HostPort;
import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code wharf dns} was asked, parsed from dig's free-form words ({@code NAME}, {@code TYPE},
 * {@code CLASS}, {@code @SERVER[:PORT]}, {@code +option}) and the options picocli parsed. Parsing
 * starts nothing: a mistake is an {@link IllegalArgumentException} with one line for the user.
 *
 * @param server the server as typed (name or literal), or empty for resolv.conf's
 * @param port the server's port (53 unless given)
 * @param timeoutSeconds seconds per try ({@code +time}), or 0 for resolv.conf's
 * @param tries tries per server ({@code +tries}), or 0 for resolv.conf's
 * @param ednsPayload the EDNS payload size to announce, 0 for no EDNS ({@code +noedns})
 */
public record DnsArgs(
    DnsName name,
    int type,
    int dnsClass,
    Optional<String> server,
    int port,
    boolean shortOutput,
    boolean tcp,
    boolean recurse,
    boolean dnssec,
    int ednsPayload,
    int timeoutSeconds,
    int tries,
    boolean json) {

  /** Parses dig's words, with {@code -x}, {@code -p}, {@code -t} and {@code --json} given apart. */
  public static DnsArgs parse(
      List<String> words, String reverse, Integer portOption, String typeOption, boolean json) {
    String name = null;
    Integer type = typeOption == null ? null : RecordType.parse(typeOption);
    int dnsClass = RecordClass.IN;
    boolean classGiven = false;
    String server = null;
    Integer port = null;
    boolean shortOutput = false;
    boolean tcp = false;
    boolean recurse = true;
    boolean dnssec = false;
    int ednsPayload = Edns.DEFAULT_PAYLOAD;
    int timeout = 0;
    int tries = 0;
    for (String word : words) {
      if (word.startsWith("@")) {
        if (word.length() == 1) {
          throw new IllegalArgumentException("'@' needs a server: @SERVER[:PORT]");
        }
        ServerArg hostPort = server(word.substring(1));
        server = hostPort.host();
        if (hostPort.port() >= 0) {
          port = hostPort.port();
        }
      } else if (word.startsWith("+")) {
        String option = word.substring(1).toLowerCase(Locale.ROOT);
        switch (option) {
          case "short" -> shortOutput = true;
          case "noshort" -> shortOutput = false;
          case "tcp", "vc" -> tcp = true;
          case "notcp", "novc" -> tcp = false;
          case "rec", "recurse" -> recurse = true;
          case "norec", "norecurse" -> recurse = false;
          case "dnssec" -> dnssec = true;
          case "nodnssec" -> dnssec = false;
          case "edns" -> ednsPayload = Edns.DEFAULT_PAYLOAD;
          case "noedns" -> ednsPayload = 0;
          default -> {
            if (option.startsWith("bufsize=")) {
              ednsPayload = number(option, "bufsize=", 0, 65535);
            } else if (option.startsWith("time=")) {
              timeout = number(option, "time=", 1, 300);
            } else if (option.startsWith("tries=")) {
              tries = number(option, "tries=", 1, 100);
            } else {
              throw new IllegalArgumentException(
                  "unknown option '"
                      + word
                      + "'; known: +short +tcp +norec +dnssec +noedns +bufsize=N +time=N"
                      + " +tries=N");
            }
          }
        }
      } else if (word.startsWith("-")) {
        throw new IllegalArgumentException("unknown option '" + word + "'");
      } else if (type == null && RecordType.isType(word)) {
        // As dig: a word that names a type is the type, before or after the name.
        type = RecordType.parse(word);
      } else if (!classGiven && RecordClass.isClass(word)) {
        dnsClass = RecordClass.parse(word);
        classGiven = true;
      } else if (name == null) {
        name = word;
      } else {
        throw new IllegalArgumentException(
            "'" + word + "' would be a second name after '" + name + "'; one question at a time");
      }
    }
    if (portOption != null) {
      port = portOption;
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("port must be 1-65535, got " + port);
    }
    DnsName queryName;
    if (reverse != null) {
      if (name != null) {
        throw new IllegalArgumentException("give a NAME or -x ADDRESS, not both");
      }
      queryName = DnsName.reverse(address(reverse));
      if (type == null) {
        type = RecordType.PTR;
      }
    } else if (name == null) {
      throw new IllegalArgumentException("missing NAME: wharf dns NAME [TYPE] [@SERVER[:PORT]]");
    } else {
      queryName = DnsName.parse(name);
    }
    return new DnsArgs(
        queryName,
        type == null ? RecordType.A : type,
        dnsClass,
        Optional.ofNullable(server),
        port == null ? 53 : port,
        shortOutput,
        tcp,
        recurse,
        dnssec,
        ednsPayload,
        timeout,
        tries,
        json);
  }

  /**
   * {@code SERVER}, {@code SERVER:PORT}, {@code [IPV6]:PORT} or a bare IPv6 literal ({@code ::1},
   * whose colons hold no port); port -1 when none is given.
   */
  record ServerArg(String host, int port) {}

  static ServerArg server(String text) {
    int colons = (int) text.chars().filter(c -> c == ':').count();
    if (text.startsWith("[") || colons == 1) {
      HostPort hostPort = HostPort.parse(text, "");
      if (hostPort.host().isEmpty()) {
        throw new IllegalArgumentException("'@" + text + "' names no server");
      }
      return new ServerArg(hostPort.host(), hostPort.port());
    }
    return new ServerArg(text, -1);
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.ofLiteral(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-x needs an IPv4 or IPv6 address, not '" + text + "'");
    }
  }

  private static int number(String option, String prefix, int min, int max) {
    String digits = option.substring(prefix.length());
    try {
      int value = Integer.parseInt(digits);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException(
        "+" + prefix + " needs a number from " + min + " to " + max + ", not '" + digits + "'");
  }
}
