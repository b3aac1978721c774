package dev.wharf.inspect.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketState;
import dev.wharf.inspect.SocketTimer;
import dev.wharf.inspect.TcpInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code inet_diag} request and answer ({@code <linux/inet_diag.h>}): {@code inet_diag_req_v2}
 * asks for one family and protocol in a set of states, {@code inet_diag_msg} describes one socket,
 * with {@code tcp_info} in an {@code INET_DIAG_INFO} attribute. Ports and addresses are in network
 * byte order, the rest in the host's. Stateless; any thread.
 */
final class InetDiag {
  private InetDiag() {}

  static final short SOCK_DIAG_BY_FAMILY = 20;
  static final byte AF_INET = 2;
  static final byte AF_INET6 = 10;
  static final byte IPPROTO_TCP = 6;
  static final byte IPPROTO_UDP = 17;
  static final byte IPPROTO_RAW = (byte) 255;
  private static final int INET_DIAG_INFO = 2;

  /** A u8 the kernel adds for an IPv6 socket in LISTEN or CLOSE: 1 if IPV6_V6ONLY. */
  private static final int INET_DIAG_SKV6ONLY = 11;

  private static final int TCP_NEW_SYN_RECV = 12;

  static final StructLayout SOCKID =
      MemoryLayout.structLayout(
          JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withName("idiag_sport"),
          JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withName("idiag_dport"),
          MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("idiag_src"),
          MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("idiag_dst"),
          JAVA_INT.withName("idiag_if"),
          MemoryLayout.sequenceLayout(2, JAVA_INT).withName("idiag_cookie"));

  static final StructLayout REQUEST =
      MemoryLayout.structLayout(
          JAVA_BYTE.withName("sdiag_family"),
          JAVA_BYTE.withName("sdiag_protocol"),
          JAVA_BYTE.withName("idiag_ext"),
          JAVA_BYTE.withName("pad"), // sdiag_raw_protocol for raw sockets
          JAVA_INT.withName("idiag_states"),
          SOCKID.withName("id"));

  static final StructLayout MESSAGE =
      MemoryLayout.structLayout(
          JAVA_BYTE.withName("idiag_family"),
          JAVA_BYTE.withName("idiag_state"),
          JAVA_BYTE.withName("idiag_timer"),
          JAVA_BYTE.withName("idiag_retrans"),
          SOCKID.withName("id"),
          JAVA_INT.withName("idiag_expires"),
          JAVA_INT.withName("idiag_rqueue"),
          JAVA_INT.withName("idiag_wqueue"),
          JAVA_INT.withName("idiag_uid"),
          JAVA_INT.withName("idiag_inode"));

  private static final int ID = NetlinkMessages.offset(MESSAGE, "id");
  private static final int SPORT = ID + NetlinkMessages.offset(SOCKID, "idiag_sport");
  private static final int DPORT = ID + NetlinkMessages.offset(SOCKID, "idiag_dport");
  private static final int SRC = ID + NetlinkMessages.offset(SOCKID, "idiag_src");
  private static final int DST = ID + NetlinkMessages.offset(SOCKID, "idiag_dst");
  private static final int EXPIRES = NetlinkMessages.offset(MESSAGE, "idiag_expires");
  private static final int RQUEUE = NetlinkMessages.offset(MESSAGE, "idiag_rqueue");
  private static final int WQUEUE = NetlinkMessages.offset(MESSAGE, "idiag_wqueue");
  private static final int UID = NetlinkMessages.offset(MESSAGE, "idiag_uid");
  private static final int INODE = NetlinkMessages.offset(MESSAGE, "idiag_inode");

  /**
   * A dump request, {@code nlmsghdr} included, for sockets of {@code family} and {@code kind} whose
   * kernel state is in {@code stateMask} (bit {@code 1 << state}).
   */
  static MemorySegment request(
      Arena arena, int seq, byte family, SocketKind kind, int stateMask, boolean tcpInfo) {
    long size = NetlinkMessages.HEADER_SIZE + REQUEST.byteSize();
    MemorySegment message = arena.allocate(size, 8);
    message.set(JAVA_INT, NetlinkMessages.LENGTH, (int) size);
    message.set(JAVA_SHORT, NetlinkMessages.TYPE, SOCK_DIAG_BY_FAMILY);
    message.set(
        JAVA_SHORT,
        NetlinkMessages.FLAGS,
        (short) (NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_DUMP));
    message.set(JAVA_INT, NetlinkMessages.SEQ, seq);
    MemorySegment body = message.asSlice(NetlinkMessages.HEADER_SIZE);
    body.set(JAVA_BYTE, NetlinkMessages.offset(REQUEST, "sdiag_family"), family);
    byte protocol =
        switch (kind) {
          case TCP -> IPPROTO_TCP;
          case UDP -> IPPROTO_UDP;
          case RAW -> IPPROTO_RAW;
          default -> throw new IllegalArgumentException("not an inet kind: " + kind);
        };
    body.set(JAVA_BYTE, NetlinkMessages.offset(REQUEST, "sdiag_protocol"), protocol);
    if (kind == SocketKind.RAW) {
      // raw_diag: sdiag_raw_protocol IPPROTO_RAW matches raw sockets of every protocol.
      body.set(JAVA_BYTE, NetlinkMessages.offset(REQUEST, "pad"), IPPROTO_RAW);
    }
    if (tcpInfo && kind == SocketKind.TCP) {
      body.set(
          JAVA_BYTE,
          NetlinkMessages.offset(REQUEST, "idiag_ext"),
          (byte) (1 << (INET_DIAG_INFO - 1)));
    }
    // Requests not yet accepted are TCP_NEW_SYN_RECV in the kernel's tables: asking for SYN-RECV
    // means asking for them too, as ss does.
    int mask = stateMask;
    if ((mask & (1 << SocketState.SYN_RECV.code())) != 0) {
      mask |= 1 << TCP_NEW_SYN_RECV;
    }
    body.set(JAVA_INT, NetlinkMessages.offset(REQUEST, "idiag_states"), mask);
    return message;
  }

  /** The socket one {@code inet_diag_msg} (and its attributes) describes, if it can be read. */
  static Optional<SocketEntry> parse(SocketKind kind, ByteBuffer payload) {
    return parse(kind, payload, true);
  }

  /**
   * As {@link #parse(SocketKind, ByteBuffer)}, reading the attributes ({@code tcp_info}) only when
   * {@code attributes}: a dump not asked for them carries none worth a walk per socket.
   */
  static Optional<SocketEntry> parse(SocketKind kind, ByteBuffer payload, boolean attributes) {
    if (payload.limit() < MESSAGE.byteSize()) {
      return Optional.empty();
    }
    int familyCode = payload.get(0);
    Optional<SocketState> state = SocketState.ofCode(Byte.toUnsignedInt(payload.get(1)));
    if (state.isEmpty() || (familyCode != AF_INET && familyCode != AF_INET6)) {
      return Optional.empty();
    }
    SocketFamily family = familyCode == AF_INET ? SocketFamily.IPV4 : SocketFamily.IPV6;
    int timerCode = Byte.toUnsignedInt(payload.get(2));
    int retransmits = Byte.toUnsignedInt(payload.get(3));
    InetAddress localAddress = address(payload, SRC, family);
    long expires = Integer.toUnsignedLong(payload.getInt(EXPIRES));
    Optional<SocketTimer> timer =
        kind == SocketKind.TCP ? timer(timerCode, expires, retransmits) : Optional.empty();
    TcpInfo[] info = new TcpInfo[1];
    boolean[] dualStack = new boolean[1];
    boolean wantInfo = attributes && kind == SocketKind.TCP;
    // An IPv6 wildcard is printed "*" by ss when the socket takes IPv4 too: the attribute says.
    boolean wildcard = family == SocketFamily.IPV6 && localAddress.isAnyLocalAddress();
    if (wantInfo || wildcard) {
      NetlinkMessages.forEachAttribute(
          NetlinkMessages.after(payload, MESSAGE.byteSize()),
          (type, data) -> {
            if (type == INET_DIAG_INFO && wantInfo) {
              info[0] = tcpInfo(data);
            } else if (type == INET_DIAG_SKV6ONLY && data.limit() >= 1) {
              dualStack[0] = data.get(0) == 0;
            }
          });
    }
    var local = new Endpoint.Inet(localAddress, port(payload, SPORT), dualStack[0]);
    var peer = new Endpoint.Inet(address(payload, DST, family), port(payload, DPORT), dualStack[0]);
    return Optional.of(
        new SocketEntry(
            kind,
            family,
            state.get(),
            local,
            peer,
            Integer.toUnsignedLong(payload.getInt(RQUEUE)),
            Integer.toUnsignedLong(payload.getInt(WQUEUE)),
            Integer.toUnsignedLong(payload.getInt(INODE)),
            payload.getInt(UID),
            timer,
            Optional.ofNullable(info[0]),
            java.util.List.of()));
  }

  /** {@code idiag_timer}: 0 none, 1 retransmit, 2 keep-alive, 3 TIME-WAIT, 4 zero-window probe. */
  static Optional<SocketTimer> timer(int code, long expiresMillis, int retransmits) {
    SocketTimer.Kind kind =
        switch (code) {
          case 1 -> SocketTimer.Kind.ON;
          case 2 -> SocketTimer.Kind.KEEPALIVE;
          case 3 -> SocketTimer.Kind.TIMEWAIT;
          case 4 -> SocketTimer.Kind.PERSIST;
          default -> null;
        };
    if (kind == null) {
      return Optional.empty();
    }
    // A TIME-WAIT socket's idiag_retrans is meaningless (ss prints 0).
    int count = kind == SocketTimer.Kind.TIMEWAIT ? 0 : retransmits;
    return Optional.of(new SocketTimer(kind, Duration.ofMillis(expiresMillis), count));
  }

  /** A port: two bytes in network order. */
  private static int port(ByteBuffer payload, int offset) {
    return (Byte.toUnsignedInt(payload.get(offset)) << 8)
        | Byte.toUnsignedInt(payload.get(offset + 1));
  }

  private static InetAddress address(ByteBuffer payload, int offset, SocketFamily family) {
    byte[] bytes = new byte[family == SocketFamily.IPV4 ? 4 : 16];
    payload.get(offset, bytes);
    try {
      // Inet6Address.getByAddress keeps ::ffff:a.b.c.d an IPv6 address, as ss shows it;
      // InetAddress.getByAddress would turn it into an IPv4 one.
      return family == SocketFamily.IPV4
          ? (Inet4Address) InetAddress.getByAddress(bytes)
          : Inet6Address.getByAddress(null, bytes, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError("an address of " + bytes.length + " bytes", e);
    }
  }

  /**
   * {@code struct tcp_info} ({@code <linux/tcp.h>}), whose size grew with kernels: fields beyond
   * what this kernel sent read as 0.
   */
  static TcpInfo tcpInfo(ByteBuffer data) {
    return new TcpInfo(
        u32(data, 8), // tcpi_rto
        u32(data, 68), // tcpi_rtt
        u32(data, 72), // tcpi_rttvar
        u32(data, 148), // tcpi_min_rtt
        u32(data, 16), // tcpi_snd_mss
        u32(data, 80), // tcpi_snd_cwnd
        u32(data, 76), // tcpi_snd_ssthresh
        u32(data, 24), // tcpi_unacked
        u32(data, 32), // tcpi_lost
        data.limit() > 2 ? Byte.toUnsignedInt(data.get(2)) : 0, // tcpi_retransmits
        u32(data, 100), // tcpi_total_retrans
        u64(data, 120), // tcpi_bytes_acked
        u64(data, 128), // tcpi_bytes_received
        u64(data, 160)); // tcpi_delivery_rate
  }

  private static long u32(ByteBuffer data, int offset) {
    return offset + 4 <= data.limit() ? Integer.toUnsignedLong(data.getInt(offset)) : 0;
  }

  private static long u64(ByteBuffer data, int offset) {
    return offset + 8 <= data.limit() ? data.getLong(offset) : 0;
  }
}
