package dev.wharf.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The socket options Wharf sets, typed. Unset options keep the kernel's defaults; an option the
 * socket does not support (TCP_NODELAY on a Unix socket, say) is skipped.
 *
 * <p>Immutable; each {@code withX} returns a copy.
 */
public final class SocketOptions {
  /** SO_REUSEADDR on, TCP_NODELAY on, backlog 1024; everything else as the kernel has it. */
  public static final SocketOptions DEFAULTS =
      new SocketOptions(true, false, null, true, null, null, null, null, 1024);

  private final boolean reuseAddress;
  private final boolean reusePort;
  private final KeepAlive keepAlive;
  private final Boolean tcpNoDelay;
  private final Integer receiveBufferSize;
  private final Integer sendBufferSize;
  private final Duration linger;
  private final Integer ipTos;
  private final int backlog;

  private SocketOptions(
      boolean reuseAddress,
      boolean reusePort,
      KeepAlive keepAlive,
      Boolean tcpNoDelay,
      Integer receiveBufferSize,
      Integer sendBufferSize,
      Duration linger,
      Integer ipTos,
      int backlog) {
    this.reuseAddress = reuseAddress;
    this.reusePort = reusePort;
    this.keepAlive = keepAlive;
    this.tcpNoDelay = tcpNoDelay;
    this.receiveBufferSize = receiveBufferSize;
    this.sendBufferSize = sendBufferSize;
    this.linger = linger;
    this.ipTos = ipTos;
    this.backlog = backlog;
  }

  public boolean reuseAddress() {
    return reuseAddress;
  }

  public boolean reusePort() {
    return reusePort;
  }

  public Optional<KeepAlive> keepAlive() {
    return Optional.ofNullable(keepAlive);
  }

  public Optional<Boolean> tcpNoDelay() {
    return Optional.ofNullable(tcpNoDelay);
  }

  public OptionalInt receiveBufferSize() {
    return receiveBufferSize == null ? OptionalInt.empty() : OptionalInt.of(receiveBufferSize);
  }

  public OptionalInt sendBufferSize() {
    return sendBufferSize == null ? OptionalInt.empty() : OptionalInt.of(sendBufferSize);
  }

  /** SO_LINGER; {@link Duration#ZERO} makes close send RST and skip TIME-WAIT. */
  public Optional<Duration> linger() {
    return Optional.ofNullable(linger);
  }

  /** SO_LINGER 0: the application asked for closes to reset; then nothing lingers. */
  boolean resetsOnClose() {
    return linger != null && linger.isZero();
  }

  public OptionalInt ipTos() {
    return ipTos == null ? OptionalInt.empty() : OptionalInt.of(ipTos);
  }

  /** The listen backlog: connections the kernel queues before we accept them. */
  public int backlog() {
    return backlog;
  }

  public SocketOptions withReuseAddress(boolean on) {
    return with(copy -> copy.reuseAddress = on);
  }

  /** SO_REUSEPORT: several sockets may listen on one port and the kernel spreads connections. */
  public SocketOptions withReusePort(boolean on) {
    return with(copy -> copy.reusePort = on);
  }

  public SocketOptions withKeepAlive(KeepAlive value) {
    return with(copy -> copy.keepAlive = value);
  }

  public SocketOptions withTcpNoDelay(boolean on) {
    return with(copy -> copy.tcpNoDelay = on);
  }

  public SocketOptions withReceiveBufferSize(int bytes) {
    positive(bytes, "receive buffer size");
    return with(copy -> copy.receiveBufferSize = bytes);
  }

  public SocketOptions withSendBufferSize(int bytes) {
    positive(bytes, "send buffer size");
    return with(copy -> copy.sendBufferSize = bytes);
  }

  public SocketOptions withLinger(Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException("linger must not be negative: " + value);
    }
    return with(copy -> copy.linger = value);
  }

  public SocketOptions withIpTos(int tos) {
    if (tos < 0 || tos > 255) {
      throw new IllegalArgumentException("IP_TOS is one byte (0-255): " + tos);
    }
    return with(copy -> copy.ipTos = tos);
  }

  public SocketOptions withBacklog(int value) {
    positive(value, "backlog");
    return with(copy -> copy.backlog = value);
  }

  /** A copy with one change: each {@code withX} names only the field it sets. */
  private SocketOptions with(Consumer<Copy> change) {
    var copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /** The fields of a {@link SocketOptions} while a {@code withX} changes one of them. */
  private static final class Copy {
    boolean reuseAddress;
    boolean reusePort;
    KeepAlive keepAlive;
    Boolean tcpNoDelay;
    Integer receiveBufferSize;
    Integer sendBufferSize;
    Duration linger;
    Integer ipTos;
    int backlog;

    Copy(SocketOptions from) {
      reuseAddress = from.reuseAddress;
      reusePort = from.reusePort;
      keepAlive = from.keepAlive;
      tcpNoDelay = from.tcpNoDelay;
      receiveBufferSize = from.receiveBufferSize;
      sendBufferSize = from.sendBufferSize;
      linger = from.linger;
      ipTos = from.ipTos;
      backlog = from.backlog;
    }

    SocketOptions build() {
      return new SocketOptions(
          reuseAddress,
          reusePort,
          keepAlive,
          tcpNoDelay,
          receiveBufferSize,
          sendBufferSize,
          linger,
          ipTos,
          backlog);
    }
  }

  /** The options as name-value pairs, as {@code -v} prints them. */
  public Map<String, String> describe() {
    var out = new LinkedHashMap<String, String>();
    out.put("SO_REUSEADDR", String.valueOf(reuseAddress));
    if (reusePort) {
      out.put("SO_REUSEPORT", "true");
    }
    if (keepAlive != null) {
      out.put(
          "SO_KEEPALIVE",
          "idle="
              + keepAlive.idle().toSeconds()
              + "s interval="
              + keepAlive.interval().toSeconds()
              + "s count="
              + keepAlive.count());
    }
    if (tcpNoDelay != null) {
      out.put("TCP_NODELAY", tcpNoDelay.toString());
    }
    if (receiveBufferSize != null) {
      out.put("SO_RCVBUF", receiveBufferSize.toString());
    }
    if (sendBufferSize != null) {
      out.put("SO_SNDBUF", sendBufferSize.toString());
    }
    if (linger != null) {
      out.put("SO_LINGER", linger.toSeconds() + "s");
    }
    if (ipTos != null) {
      out.put("IP_TOS", "0x" + Integer.toHexString(ipTos));
    }
    return out;
  }

  private static void positive(int value, String what) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be positive: " + value);
    }
  }

  @Override
  public String toString() {
    return describe().toString();
  }
}
