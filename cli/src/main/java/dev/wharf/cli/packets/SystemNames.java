package dev.wharf.cli.packets;

import dev.wharf.packets.HostNames;
import dev.wharf.packets.PacketSocketException;
import dev.wharf.packets.decode.IpProtocolNames;
import dev.wharf.packets.decode.Names;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Names as tcpdump gives them without -n (addrtoname.c): a host by its reverse lookup (the system's
 * resolver: /etc/hosts, then DNS, as nsswitch.conf says), a port by the first /etc/services entry
 * for it and its protocol, a MAC address by /etc/ethers or else with its OUI's name ("02:00:00:00:
 * 00:01 (oui Unknown)", "Broadcast"). Every answer is kept for the rest of the capture.
 *
 * <p>A reverse lookup may take as long as the resolver's timeouts: tcpdump waits for it, holding up
 * the capture. Here a lookup runs on a resolver thread and the printing thread waits for it at most
 * {@link #DEFAULT_WAIT}; an address whose lookup fails, or is not done by then, is printed as a
 * number, and once {@link #MAX_SLOW} lookups have overrun, new ones are not waited for at all (the
 * resolver is taken as unreachable). A late answer is used from the next packet on. Called on the
 * printing thread only.
 */
final class SystemNames implements Names {
  /** How long a packet's line waits for a new address's name. */
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(1);

  /** Lookups that overran their wait before the printing thread stops waiting. */
  static final int MAX_SLOW = 3;

  /** print-*.c's OUI names (oui.c of tcpdump 4.99), first match wins as in tok2str. */
  private static final Map<Integer, String> OUIS =
      Map.ofEntries(
          Map.entry(0x000000, "Ethernet"),
          Map.entry(0x00000c, "Cisco"),
          Map.entry(0x00005e, "IANA"),
          Map.entry(0x000081, "Nortel Networks SONMP"),
          Map.entry(0x0000f8, "Cisco bridged"),
          Map.entry(0x0080c2, "Ethernet bridged"), // also IEEE 802.1 Private, listed after it
          Map.entry(0x00a03e, "ATM Forum"),
          Map.entry(0x00e02f, "DOCSIS Spanning Tree"),
          Map.entry(0x080007, "Appletalk"),
          Map.entry(0x009069, "Juniper"),
          Map.entry(0x080009, "Hewlett-Packard"),
          Map.entry(0x00120f, "IEEE 802.3 Private"),
          Map.entry(0x0012bb, "ANSI/TIA"),
          Map.entry(0x001b21, "DCBX"),
          Map.entry(0x002320, "Nicira Networks"),
          Map.entry(0x5c16c7, "Big Switch Networks"),
          Map.entry(0xb0d2f5, "Vello Systems"),
          Map.entry(0x002481, "HP"),
          Map.entry(0x0004ea, "HP-Labs"),
          Map.entry(0x748771, "Infoblox Inc"),
          Map.entry(0xa42305, "Open Networking Lab"),
          Map.entry(0x00049f, "Freescale"),
          Map.entry(0x0015ad, "Netronome"),
          Map.entry(0x001018, "Broadcom"),
          Map.entry(0x00e004, "PMC-Sierra"),
          Map.entry(0xd0f0db, "Ericsson"));

  private final UnaryOperator<String> reverse;
  private final Duration wait;
  private final Map<Integer, String> tcpPorts;
  private final Map<Integer, String> udpPorts;
  private final Map<String, String> ethers;
  private final Map<String, Future<String>> hosts = new HashMap<>();
  private final java.util.Set<String> waited = new java.util.HashSet<>();
  private final Map<String, String> macs = new HashMap<>();
  private final ExecutorService resolver;
  private int slow;

  /**
   * Names from {@code reverse} (an address to its name, or to itself where it has none), waiting
   * {@code wait} at most for each, and from the services and ethers files given (missing: none).
   */
  SystemNames(UnaryOperator<String> reverse, Duration wait, Path services, Path ethers) {
    this.reverse = reverse;
    this.wait = wait;
    this.tcpPorts = services(services, "tcp");
    this.udpPorts = services(services, "udp");
    this.ethers = ethers(ethers);
    // Daemon threads: a lookup the resolver never answers must not keep the JVM alive. Platform
    // threads: getnameinfo(3) blocks in native code, which would pin a virtual thread's carrier.
    this.resolver =
        Executors.newFixedThreadPool(
            4, Thread.ofPlatform().daemon().name("wharf-trace-resolver-", 0).factory());
  }

  /** The system's names: its resolver, /etc/services and /etc/ethers. */
  static SystemNames ofSystem() {
    return new SystemNames(
        SystemNames::reverseLookup, DEFAULT_WAIT, Path.of("/etc/services"), Path.of("/etc/ethers"));
  }

  /** The resolver's name for {@code address}, or {@code address} where it has none. */
  static String reverseLookup(String address) {
    // ofLiteral parses without a lookup. getnameinfo(3) then asks the resolver and takes its name
    // as it is, as tcpdump's gethostbyaddr does: the JDK's getHostName would look the name up
    // again and give the number back where it does not lead to the address.
    InetAddress literal = InetAddress.ofLiteral(address);
    try {
      return HostNames.of(literal).orElse(address);
    } catch (PacketSocketException e) {
      return literal.getHostName(); // libc cannot be called: the JDK's lookup, checked as it is
    }
  }

  @Override
  public String host(String address) {
    Future<String> lookup =
        hosts.computeIfAbsent(address, a -> resolver.submit(() -> reverse.apply(a)));
    // Each address is waited for once: a packet of it that comes while its lookup still runs
    // (after an overrun) is printed with its number, not held up again.
    if (!lookup.isDone() && slow < MAX_SLOW && waited.add(address)) {
      try {
        return lookup.get(wait.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        slow++; // printed as a number now; its name, if it comes, from a later packet on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        return address;
      }
    }
    return lookup.isDone() ? answer(lookup, address) : address;
  }

  private static String answer(Future<String> lookup, String address) {
    return lookup.state() == Future.State.SUCCESS ? lookup.resultNow() : address;
  }

  @Override
  public String tcpPort(int port) {
    return tcpPorts.getOrDefault(port, Integer.toString(port));
  }

  @Override
  public String udpPort(int port) {
    return udpPorts.getOrDefault(port, Integer.toString(port));
  }

  @Override
  public String ipProtocol(int protocol) {
    return IpProtocolNames.of(protocol); // tcpdump's own table, not /etc/protocols
  }

  @Override
  public String mac(String address) {
    return macs.computeIfAbsent(address, this::macName);
  }

  /** etheraddr_string: /etc/ethers' name, "Broadcast", or the address and its OUI's name. */
  private String macName(String address) {
    String lower = address.toLowerCase(Locale.ROOT);
    String named = ethers.get(lower);
    if (named != null) {
      return named;
    }
    if (lower.equals("ff:ff:ff:ff:ff:ff")) {
      return "Broadcast";
    }
    int oui = Integer.parseInt(lower.substring(0, 8).replace(":", ""), 16);
    return address + " (oui " + OUIS.getOrDefault(oui, "Unknown") + ")";
  }

  /**
   * Each port's service for {@code protocol}: the first line that names it, as tcpdump's
   * init_servarray keeps the first getservent(3) gives; aliases are not used.
   */
  static Map<Integer, String> services(Path file, String protocol) {
    var ports = new HashMap<Integer, String>();
    for (List<String> fields : lines(file)) {
      if (fields.size() < 2) {
        continue;
      }
      int slash = fields.get(1).indexOf('/');
      if (slash < 0 || !fields.get(1).substring(slash + 1).equals(protocol)) {
        continue;
      }
      try {
        ports.putIfAbsent(Integer.parseInt(fields.get(1).substring(0, slash)), fields.get(0));
      } catch (NumberFormatException e) {
        // Not a port: a line getservent(3) would skip too.
      }
    }
    return ports;
  }

  /** /etc/ethers (ethers(5)): an address, then its name; addresses kept in lower case. */
  private static Map<String, String> ethers(Path file) {
    var names = new HashMap<String, String>();
    for (List<String> fields : lines(file)) {
      if (fields.size() >= 2) {
        names.putIfAbsent(canonicalMac(fields.get(0)), fields.get(1));
      }
    }
    return names;
  }

  /** "0:1:2:a:b:c" as "00:01:02:0a:0b:0c", as decoded addresses are written. */
  private static String canonicalMac(String text) {
    var out = new StringBuilder();
    for (String octet : text.toLowerCase(Locale.ROOT).split(":")) {
      out.append(out.isEmpty() ? "" : ":").append(octet.length() == 1 ? "0" : "").append(octet);
    }
    return out.toString();
  }

  /** A file's lines as whitespace-separated fields, comments and blank lines left out. */
  private static List<List<String>> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
          .map(line -> line.replaceFirst("#.*", "").strip())
          .filter(line -> !line.isEmpty())
          .map(line -> List.of(line.split("\\s+")))
          .toList();
    } catch (IOException e) {
      return List.of(); // No such file: no names from it, as for tcpdump.
    }
  }
}
