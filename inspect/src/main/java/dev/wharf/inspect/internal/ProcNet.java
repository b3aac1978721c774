package dev.wharf.inspect.internal;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketQuery;
import dev.wharf.inspect.SocketState;
import dev.wharf.inspect.SocketTimer;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The fallback source: {@code /proc/net/{tcp,tcp6,udp,udp6,raw,raw6,unix}}, the tables {@code
 * netstat} reads. They tell less than sock_diag: a listener's Send-Q (its backlog) is 0, there is
 * no {@code tcp_info}, and Unix sockets have no queues, peers or uid. Stateless; any thread.
 */
public final class ProcNet {
  private static final Path PROC_NET = Path.of("/proc/net");

  /** {@code tm->when} is in clock ticks (USER_HZ), which is 100 on every Linux ABI. */
  private static final long MILLIS_PER_TICK = 10;

  /** {@code __SO_ACCEPTCON} in {@code /proc/net/unix}'s Flags: a listening socket. */
  private static final int SO_ACCEPTCON = 0x10000;

  private ProcNet() {}

  /** Every socket {@code query} asks for, from {@code /proc/net}; owners not yet found. */
  public static List<SocketEntry> read(SocketQuery query) throws IOException {
    var sockets = new ArrayList<SocketEntry>();
    for (SocketKind kind : List.of(SocketKind.TCP, SocketKind.UDP, SocketKind.RAW)) {
      if (query.kinds().contains(kind)) {
        sockets.addAll(readInet(kind, SocketFamily.IPV4, query.states()));
        sockets.addAll(readInet(kind, SocketFamily.IPV6, query.states()));
      }
    }
    if (query.kinds().stream().anyMatch(SocketKind::isUnix)) {
      for (SocketEntry entry : readUnix(lines(PROC_NET.resolve("unix")))) {
        if (query.kinds().contains(entry.kind()) && query.states().contains(entry.state())) {
          sockets.add(entry);
        }
      }
    }
    return sockets;
  }

  /** The sockets of one inet table ({@code /proc/net/tcp6} for TCP over IPv6) in {@code states}. */
  static List<SocketEntry> readInet(SocketKind kind, SocketFamily family, Set<SocketState> states)
      throws IOException {
    String table = kind.netid() + (family == SocketFamily.IPV6 ? "6" : "");
    var sockets = new ArrayList<SocketEntry>();
    for (SocketEntry entry : parseInet(kind, lines(PROC_NET.resolve(table)))) {
      if (states.contains(entry.state())) {
        sockets.add(entry);
      }
    }
    return sockets;
  }

  private static List<String> lines(Path file) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      return reader.lines().skip(1).toList(); // the first line names the columns
    } catch (NoSuchFileException e) {
      return List.of(); // no IPv6 in this kernel, or no such protocol
    }
  }

  /**
   * Lines of an inet table: {@code sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid
   * timeout inode ...}, addresses as the hex of the kernel's words in host order.
   */
  static List<SocketEntry> parseInet(SocketKind kind, List<String> lines) {
    var sockets = new ArrayList<SocketEntry>(lines.size());
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10) {
        continue;
      }
      Optional<SocketState> state = SocketState.ofCode(Integer.parseInt(f[3], 16));
      if (state.isEmpty()) {
        continue;
      }
      Endpoint.Inet local = endpoint(f[1]);
      Endpoint.Inet peer = endpoint(f[2]);
      String[] queues = f[4].split(":");
      String[] timer = f[5].split(":");
      int retransmits = Integer.parseInt(f[6], 16);
      Optional<SocketTimer> socketTimer =
          kind == SocketKind.TCP
              ? InetDiag.timer(
                  Integer.parseInt(timer[0], 16),
                  Long.parseLong(timer[1], 16) * MILLIS_PER_TICK,
                  retransmits)
              : Optional.empty();
      sockets.add(
          new SocketEntry(
              kind,
              local.address() instanceof Inet4Address ? SocketFamily.IPV4 : SocketFamily.IPV6,
              state.get(),
              local,
              peer,
              Long.parseLong(queues[1], 16), // rx_queue: for a listener, the accept queue
              state.get() == SocketState.LISTEN ? 0 : Long.parseLong(queues[0], 16),
              Long.parseLong(f[9]),
              Integer.parseInt(f[7]),
              socketTimer,
              Optional.empty(),
              List.of()));
    }
    return sockets;
  }

  /** {@code 0100007F:0050}: 8 or 32 hex digits of 32-bit words in host order, then the port. */
  static Endpoint.Inet endpoint(String text) {
    int colon = text.indexOf(':');
    String hex = text.substring(0, colon);
    byte[] address = new byte[hex.length() / 2];
    for (int word = 0; word < address.length / 4; word++) {
      long value = Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
      // x86 and arm64 are little-endian: the word's low byte is the address's first.
      for (int i = 0; i < 4; i++) {
        address[word * 4 + i] = (byte) (value >>> (8 * i));
      }
    }
    int port = Integer.parseInt(text.substring(colon + 1), 16);
    try {
      InetAddress inet =
          address.length == 4
              ? InetAddress.getByAddress(address)
              : Inet6Address.getByAddress(null, address, -1);
      return new Endpoint.Inet(inet, port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + text, e);
    }
  }

  /** Lines of {@code /proc/net/unix}: {@code Num RefCount Protocol Flags Type St Inode [Path]}. */
  static List<SocketEntry> parseUnix(List<String> lines) {
    return readUnix(lines);
  }

  private static List<SocketEntry> readUnix(List<String> lines) {
    var sockets = new ArrayList<SocketEntry>(lines.size());
    for (String line : lines) {
      String[] f = line.trim().split("\\s+", 8);
      if (f.length < 7) {
        continue;
      }
      Optional<SocketKind> kind = UnixDiag.kind(Integer.parseInt(f[4], 16));
      if (kind.isEmpty()) {
        continue;
      }
      int flags = Integer.parseInt(f[3], 16);
      int st = Integer.parseInt(f[5], 16); // SS_UNCONNECTED 1, SS_CONNECTING 2, SS_CONNECTED 3
      SocketState state =
          (flags & SO_ACCEPTCON) != 0
              ? SocketState.LISTEN
              : st == 3
                  ? SocketState.ESTABLISHED
                  : st == 2 ? SocketState.SYN_SENT : SocketState.CLOSE;
      long inode = Long.parseLong(f[6]);
      String name = f.length > 7 ? f[7] : "";
      sockets.add(
          new SocketEntry(
              kind.get(),
              SocketFamily.UNIX,
              state,
              new Endpoint.Unix(name, inode),
              new Endpoint.Unix("", 0),
              0,
              0,
              inode,
              -1,
              Optional.empty(),
              Optional.empty(),
              List.of()));
    }
    return sockets;
  }
}
