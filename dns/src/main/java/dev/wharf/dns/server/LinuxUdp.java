package dev.wharf.dns.server;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

/**
 * The libc calls a UDP socket needs to take and send datagrams in batches (recvmmsg(2),
 * sendmmsg(2)), linked through the FFM API, for x86-64 and aarch64 Linux (LP64). Each call that
 * fails says so with its errno in an {@link IOException}, except the two batch calls, which return
 * -errno so the receiving loop branches without an exception.
 *
 * <p>Thread-safe: each call captures errno into the caller's own segment.
 */
final class LinuxUdp {
  // <bits/socket.h>, <asm-generic/socket.h>, <asm-generic/errno-base.h>
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int MSG_TRUNC = 0x20;
  static final int MSG_WAITFORONE = 0x10000;

  /** sizeof(struct sockaddr_in6), the larger of the two families. */
  static final int SOCKADDR_SIZE = 28;

  static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private final MethodHandle socket;
  private final MethodHandle bind;
  private final MethodHandle getsockname;
  private final MethodHandle setsockopt;
  private final MethodHandle recvmmsg;
  private final MethodHandle sendmmsg;
  private final MethodHandle close;

  @SuppressWarnings("restricted") // the reason for this class; the launcher grants it
  private LinuxUdp(Linker linker) {
    var errno = Linker.Option.captureCallState("errno");
    var lookup = linker.defaultLookup();
    socket =
        linker.downcallHandle(
            lookup.findOrThrow("socket"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            errno);
    bind =
        linker.downcallHandle(
            lookup.findOrThrow("bind"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            errno);
    getsockname =
        linker.downcallHandle(
            lookup.findOrThrow("getsockname"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
            errno);
    setsockopt =
        linker.downcallHandle(
            lookup.findOrThrow("setsockopt"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            errno);
    var batch = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
    recvmmsg = linker.downcallHandle(lookup.findOrThrow("recvmmsg"), batch, errno);
    sendmmsg =
        linker.downcallHandle(
            lookup.findOrThrow("sendmmsg"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            errno);
    close =
        linker.downcallHandle(
            lookup.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
  }

  /**
   * libc, or an exception saying why not (not Linux on x86-64 or aarch64, native access refused):
   * the caller then takes datagrams one at a time through the JDK.
   */
  static LinuxUdp link() {
    String arch = System.getProperty("os.arch", "");
    if (!System.getProperty("os.name", "").startsWith("Linux")
        || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
      throw new UnsupportedOperationException("recvmmsg is linked on 64-bit Linux only");
    }
    return new LinuxUdp(Linker.nativeLinker());
  }

  /** A blocking UDP socket bound to {@code address}, whose receives give up after 200 ms. */
  int open(InetSocketAddress address) throws IOException {
    boolean v4 = address.getAddress() instanceof Inet4Address;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd =
          (int) socket.invokeExact(state, v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        throw failure("socket", state);
      }
      try {
        // struct timeval { long tv_sec; long tv_usec; }: a blocked receive returns EAGAIN then,
        // so the loop sees a close within that time.
        MemorySegment timeout = arena.allocate(16, 8);
        timeout.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, 200_000);
        check(
            (int) setsockopt.invokeExact(state, fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16),
            "setsockopt",
            state);
        MemorySegment sockaddr = sockaddr(arena, address);
        if ((int) bind.invokeExact(state, fd, sockaddr, (int) sockaddr.byteSize()) != 0) {
          throw bindFailure(address, (int) ERRNO.get(state, 0L));
        }
        return fd;
      } catch (IOException | RuntimeException e) {
        closeQuietly(fd);
        throw e;
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** The port the socket is bound to. */
  int port(int fd) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      MemorySegment sockaddr = arena.allocate(SOCKADDR_SIZE, 8);
      MemorySegment length = arena.allocateFrom(JAVA_INT, SOCKADDR_SIZE);
      check((int) getsockname.invokeExact(state, fd, sockaddr, length), "getsockname", state);
      // sin_port and sin6_port: the two octets after the family, in network order.
      return ((sockaddr.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2) & 0xff) << 8)
          | (sockaddr.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 3) & 0xff);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** recvmmsg(2) without a timeout: the count received, or -errno. */
  int receive(int fd, MemorySegment messages, int count, MemorySegment state) {
    try {
      int n =
          (int)
              recvmmsg.invokeExact(state, fd, messages, count, MSG_WAITFORONE, MemorySegment.NULL);
      return n >= 0 ? n : -(int) ERRNO.get(state, 0L);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** sendmmsg(2): the count sent, or -errno. */
  int send(int fd, MemorySegment messages, int count, MemorySegment state) {
    try {
      int n = (int) sendmmsg.invokeExact(state, fd, messages, count, 0);
      return n >= 0 ? n : -(int) ERRNO.get(state, 0L);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  void closeQuietly(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      int ignored = (int) close.invokeExact(arena.allocate(CALL_STATE), fd);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** struct sockaddr_in or sockaddr_in6: the family in host order, the port in network order. */
  private static MemorySegment sockaddr(Arena arena, InetSocketAddress address) {
    byte[] ip = address.getAddress().getAddress();
    boolean v4 = ip.length == 4;
    MemorySegment s = arena.allocate(v4 ? 16 : SOCKADDR_SIZE, 8);
    s.set(
        java.lang.foreign.ValueLayout.JAVA_SHORT.withOrder(ByteOrder.nativeOrder()),
        0,
        (short) (v4 ? AF_INET : AF_INET6));
    s.set(
        java.lang.foreign.ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN),
        2,
        (short) address.getPort());
    MemorySegment.copy(MemorySegment.ofArray(ip), 0, s, v4 ? 4 : 8, ip.length);
    if (!v4 && address.getAddress() instanceof java.net.Inet6Address v6) {
      s.set(java.lang.foreign.ValueLayout.JAVA_INT, 24, v6.getScopeId());
    }
    return s;
  }

  /** As the core says it for the JDK's channels (BindErrors), so both UDP paths fail alike. */
  private static IOException bindFailure(InetSocketAddress address, int errno) {
    String where = dev.wharf.core.Addresses.format(address);
    return switch (errno) {
      case 98 -> new BindException("address already in use: " + where); // EADDRINUSE
      case 13 -> // EACCES
          new BindException(
              address.getPort() > 0 && address.getPort() < 1024
                  ? "permission denied: ports below 1024 need privileges (" + where + ")"
                  : "permission denied: " + where);
      case 99 -> new BindException("address not available on this host: " + where);
      default -> new IOException("cannot listen on " + where + ": errno " + errno);
    };
  }

  private static void check(int rc, String call, MemorySegment state) throws IOException {
    if (rc != 0) {
      throw failure(call, state);
    }
  }

  private static IOException failure(String call, MemorySegment state) {
    int errno = (int) ERRNO.get(state, 0L);
    return new IOException(call + " failed: errno " + errno);
  }
}
