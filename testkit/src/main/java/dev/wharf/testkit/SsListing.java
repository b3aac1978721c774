package dev.wharf.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code ss} (iproute2) lists: {@code ss -tuaxnpeo -H -O} run and parsed, one socket a line,
 * into the fields a socket lister must agree on. For tests that hold another lister against ss.
 */
public final class SsListing {
  private static final Pattern OWNER = Pattern.compile("pid=(\\d+),fd=(\\d+)");
  private static final Pattern INODE = Pattern.compile("\\bino:(\\d+)");
  private static final Pattern TIMER = Pattern.compile("\\btimer:\\((\\w+),");

  private SsListing() {}

  /**
   * One socket as ss prints it ({@code -n}): endpoints as {@code 127.0.0.1:80}, {@code [::1]:*}, or
   * for Unix sockets {@code path inode} ({@code *} when unnamed); owners as {@code pid/fd}.
   *
   * @param timer the timer's name ({@code on}, {@code keepalive}, {@code timewait}, {@code
   *     persist}), empty when none
   */
  public record Socket(
      String netid,
      String state,
      long recvQ,
      long sendQ,
      String local,
      String peer,
      long inode,
      Set<String> owners,
      String timer) {

    /** What names a socket in both listings: kind and both ends. */
    public String key() {
      return netid + " " + local + " " + peer;
    }
  }

  /** Runs {@code ss -tuaxnpeo -H -O}: TCP, UDP and Unix sockets in every state, with owners. */
  public static List<Socket> read() throws IOException {
    var result = ExternalProcess.run(Duration.ofSeconds(30), "ss", "-tuaxnpeo", "-H", "-O");
    if (result.exit() != 0) {
      throw new IOException("ss failed with " + result.exit() + ": " + result.err());
    }
    var sockets = new ArrayList<Socket>();
    for (String line : result.out().split("\n")) {
      if (!line.isBlank()) {
        sockets.add(parse(line));
      }
    }
    return sockets;
  }

  /**
   * What differs between two listings of the same sockets, a line each (empty when they agree):
   * sockets one has and the other lacks, and those whose fields differ.
   */
  public static List<String> difference(List<Socket> ours, List<Socket> theirs) {
    var ourKeys = new java.util.TreeMap<String, Socket>();
    ours.forEach(socket -> ourKeys.put(socket.key(), socket));
    var theirKeys = new java.util.TreeMap<String, Socket>();
    theirs.forEach(socket -> theirKeys.put(socket.key(), socket));
    var differences = new ArrayList<String>();
    for (var entry : theirKeys.entrySet()) {
      Socket our = ourKeys.get(entry.getKey());
      if (our == null) {
        differences.add("missing: " + entry.getValue());
      } else if (!our.equals(entry.getValue())) {
        differences.add("differs: ours " + our + "\n         ss's " + entry.getValue());
      }
    }
    for (var entry : ourKeys.entrySet()) {
      if (!theirKeys.containsKey(entry.getKey())) {
        differences.add("extra: " + entry.getValue());
      }
    }
    if (ours.size() != ourKeys.size() || theirs.size() != theirKeys.size()) {
      differences.add("two sockets with the same key: " + ours.size() + " vs " + theirs.size());
    }
    return differences;
  }

  /** One line of {@code ss -H -O}. */
  public static Socket parse(String line) {
    String[] f = line.trim().split("\\s+");
    boolean unix = f[0].startsWith("u_");
    String local = unix ? f[4] + " " + f[5] : f[4];
    String peer = unix ? f[6] + " " + f[7] : f[5];
    long inode = unix ? Long.parseLong(f[5]) : find(INODE, line).map(Long::parseLong).orElse(0L);
    Set<String> owners = new TreeSet<>();
    Matcher owner = OWNER.matcher(line);
    while (owner.find()) {
      owners.add(owner.group(1) + "/" + owner.group(2));
    }
    return new Socket(
        f[0],
        f[1],
        Long.parseLong(f[2]),
        Long.parseLong(f[3]),
        local,
        peer,
        inode,
        owners,
        find(TIMER, line).orElse(""));
  }

  private static java.util.Optional<String> find(Pattern pattern, String line) {
    Matcher matcher = pattern.matcher(line);
    return matcher.find() ? java.util.Optional.of(matcher.group(1)) : java.util.Optional.empty();
  }
}
