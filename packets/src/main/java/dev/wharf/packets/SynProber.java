package dev.wharf.packets;

import dev.wharf.packets.decode.PacketDecoder;
import dev.wharf.packets.internal.Libc;
import dev.wharf.packets.internal.PacketRing;
import dev.wharf.packets.internal.RawTcpSocket;
import dev.wharf.packets.pcap.CapturedPacket;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Half-open TCP probes of one host, as {@code nmap -sS} sends them: a SYN from a raw socket, and
 * the answers (SYN-ACK, RST, ICMP unreachable) read from a {@link Capture} whose kernel-side BPF
 * filter passes only what comes back to the probes' source port. Linux only; needs CAP_NET_RAW.
 *
 * <p>An open port answers SYN-ACK, and this host's kernel, which holds no socket for that
 * connection, answers that with a RST of its own: the connection is never completed, and the
 * listening application never sees it (its accept queue does not grow). The source port is held by
 * a bound, unconnected TCP socket for the probe's life, so that no local connect is given it.
 *
 * <p>Not thread-safe: one thread sends and awaits; {@link #close} after it stopped.
 */
public final class SynProber implements AutoCloseable {
  private static final int SNAP_LENGTH = 256; // the IP and TCP headers, or an ICMP error's quote
  private static final int DEFAULT_RING_BYTES = 2 << 20; // Capture's default, libpcap's

  /**
   * How long an answer may wait in a ring block before the block is handed over: every answer's
   * round trip, which the scan's timeouts and window learn from, includes this wait. libpcap's 10
   * ms made the loopback's round trip 8.6 ms, and a 1,000-port scan 0.45-0.85 s long.
   */
  private static final int RETIRE_MILLIS = 1;

  private final InetAddress target;
  private final InetAddress source;
  private final int sourcePort;
  private final int sequenceBase;
  private final String interfaceName;
  private final Socket portHolder;
  private final RawTcpSocket sender;
  private final Capture capture;
  private final SynSegments.Template template;
  private final byte[] batch = new byte[SynSegments.TCP_HEADER * RawTcpSocket.MAX_BATCH];

  private SynProber(
      InetAddress target,
      InetAddress source,
      Socket portHolder,
      String interfaceName,
      RawTcpSocket sender,
      Capture capture) {
    this.target = target;
    this.source = source;
    this.portHolder = portHolder;
    this.sourcePort = portHolder.getLocalPort();
    this.interfaceName = interfaceName;
    this.sender = sender;
    this.capture = capture;
    this.sequenceBase = ThreadLocalRandom.current().nextInt();
    this.template = new SynSegments.Template(source, target, sourcePort);
  }

  /**
   * Probes of {@code target}, from the address and interface the routing table picks for it.
   *
   * @throws PacketSocketException where the kernel refuses a raw or packet socket (see {@link
   *     PacketSocketException#isPermissionDenied()}, whose message says what is needed), or
   *     libpcap, which compiles the filter for IPv6 and links other than Ethernet, is missing
   * @throws IOException where no route leads to {@code target}
   */
  public static SynProber open(InetAddress target) throws IOException {
    RawTcpSocket sender;
    try {
      sender = RawTcpSocket.open(target);
    } catch (PacketSocketException e) {
      if (e.isPermissionDenied()) {
        throw new PacketSocketException(
            e.errno(),
            "permission denied: a SYN scan needs CAP_NET_RAW (sudo, or setcap cap_net_raw+ep on"
                + " the java binary); the connect scan (-sT) needs none");
      }
      throw e;
    }
    Socket holder = null;
    Capture capture = null;
    try {
      InetAddress source = sourceFor(target);
      holder = new Socket();
      holder.bind(new InetSocketAddress(source, 0));
      String interfaceName = interfaceFor(target, source);
      int port = holder.getLocalPort();
      // Built here for IPv4 over Ethernet and loopback, the common case: no libpcap to load and
      // run at every scan's start; libpcap compiles the filter for IPv6 and other link types.
      capture =
          Capture.open(
              interfaceName,
              SNAP_LENGTH,
              expression(target, source, port),
              DEFAULT_RING_BYTES,
              0,
              linkType ->
                  linkType == PacketDecoder.LINKTYPE_ETHERNET
                      ? SynFilter.ethernet(target, source, port, SNAP_LENGTH).orElse(null)
                      : null,
              RETIRE_MILLIS);
      return new SynProber(target, source, holder, interfaceName, sender, capture);
    } catch (IOException | RuntimeException e) {
      sender.close();
      if (capture != null) {
        capture.close();
      }
      if (holder != null) {
        holder.close();
      }
      throw e;
    }
  }

  /**
   * The kernel's answers to this host's probes only: TCP from the target to the source port, and
   * ICMP errors to this host (checked against the quoted probe when read).
   */
  static String expression(InetAddress target, InetAddress source, int port) {
    String icmp = target instanceof Inet6Address ? "icmp6" : "icmp";
    return "(tcp and src host "
        + AddressText.of(target)
        + " and dst port "
        + port
        + ") or ("
        + icmp
        + " and dst host "
        + AddressText.of(source)
        + ")";
  }

  /** The local address a packet to {@code target} leaves from: a connected UDP socket's. */
  private static InetAddress sourceFor(InetAddress target) throws IOException {
    try (var probe = new DatagramSocket()) {
      probe.connect(new InetSocketAddress(target, 9)); // sends nothing: only a route lookup
      InetAddress local = probe.getLocalAddress();
      if (local == null || local.isAnyLocalAddress()) {
        throw new IOException("no route to " + AddressText.of(target));
      }
      return local;
    } catch (SocketException e) {
      throw new IOException("no route to " + AddressText.of(target) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Where the answers come in: the loopback when the target is this host (any of its addresses:
   * Linux routes those through {@code lo} whatever interface holds them), else the interface
   * holding {@code source}; all of them when neither is known.
   */
  private static String interfaceFor(InetAddress target, InetAddress source)
      throws SocketException {
    if (target.isLoopbackAddress() || NetworkInterface.getByInetAddress(target) != null) {
      return NetworkInterface.networkInterfaces()
          .filter(SynProber::isLoopback)
          .map(NetworkInterface::getName)
          .findFirst()
          .orElse("any");
    }
    NetworkInterface nic = NetworkInterface.getByInetAddress(source);
    return nic == null ? "any" : nic.getName();
  }

  private static boolean isLoopback(NetworkInterface nic) {
    try {
      return nic.isLoopback();
    } catch (SocketException e) {
      return false;
    }
  }

  /**
   * Links what a probe calls, opening nothing: libc's downcalls and the classes of the raw socket,
   * the capture's ring and the filter, for a startup cache's training run, which may not be allowed
   * a raw socket (the JVM's AOT cache then holds them, and a scan starts without linking them).
   *
   * @throws PacketSocketException where the JVM refuses native access or is not on Linux
   */
  public static void linkNow() throws PacketSocketException {
    Libc.get();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    SynFilter.ethernet(loopback, loopback, 1, SNAP_LENGTH);
    new SynSegments.Template(loopback, loopback, 1)
        .write(new byte[SynSegments.TCP_HEADER], 0, 2, 0);
    for (Class<?> type : new Class<?>[] {RawTcpSocket.class, PacketRing.class, Capture.class}) {
      try {
        Class.forName(type.getName(), true, type.getClassLoader());
      } catch (ClassNotFoundException impossible) {
        throw new AssertionError(impossible);
      }
    }
  }

  /** Sends a SYN to {@code port}; false when the kernel's queue was full and it was not sent. */
  public boolean send(int port) throws PacketSocketException {
    return sender.send(SynSegments.syn(source, target, sourcePort, port, sequenceOf(port)));
  }

  /**
   * Sends SYNs to {@code ports[0]} to {@code ports[count - 1]}, in that order, up to {@link
   * RawTcpSocket#MAX_BATCH} to a system call; how many went (the first ones): fewer when the
   * kernel's queue was full.
   */
  public int send(int[] ports, int count) throws PacketSocketException {
    int sent = 0;
    while (sent < count) {
      int chunk = Math.min(count - sent, RawTcpSocket.MAX_BATCH);
      for (int i = 0; i < chunk; i++) {
        int port = ports[sent + i];
        template.write(batch, i * SynSegments.TCP_HEADER, port, sequenceOf(port));
      }
      int went = sender.sendAll(batch, SynSegments.TCP_HEADER, chunk);
      sent += went;
      if (went < chunk) {
        break;
      }
    }
    return sent;
  }

  /** The next answer to a probe, waiting until {@code deadlineNanos}; empty by then. */
  public Optional<SynAnswer> next(long deadlineNanos) throws PacketSocketException {
    while (true) {
      // The one place frames come in: a memory-mapped ring would take Capture's place here.
      Optional<CapturedPacket> frame = capture.next(deadlineNanos);
      if (frame.isEmpty()) {
        return Optional.empty();
      }
      Optional<SynAnswer> answer =
          SynSegments.answer(
              frame.get().data(), capture.linkType(), source, target, sourcePort, this::sequenceOf);
      if (answer.isPresent()) {
        return answer;
      }
    }
  }

  /** Each port's own initial sequence number, so that an answer proves which probe it answers. */
  private int sequenceOf(int port) {
    return sequenceBase + port * 0x9e3779b1;
  }

  /** The interface the answers are read on ({@code lo}, {@code eth0}; {@code any} if unknown). */
  public String interfaceName() {
    return interfaceName;
  }

  /** The probes' source address and port. */
  public InetSocketAddress source() {
    return new InetSocketAddress(source, sourcePort);
  }

  /** What the kernel counted on the capture: answers passed by the filter, and dropped. */
  public Capture.Statistics statistics() throws PacketSocketException {
    return capture.statistics();
  }

  @Override
  public void close() {
    sender.close();
    capture.close();
    try {
      portHolder.close();
    } catch (IOException e) {
      // A bound socket that never connected has nothing to flush: nothing to report.
    }
  }
}
