package dev.wharf.inspect.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wharf.core.LazyLogger;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * A {@code NETLINK_SOCK_DIAG} socket, made and used with libc's {@code socket}, {@code send},
 * {@code recv} and {@code close} through the foreign-function API (the JDK has no netlink channel).
 * Not thread-safe: one thread sends a request and reads its answer to the end, then closes it.
 *
 * <p>Where libc cannot be linked (native access denied) or the kernel refuses the socket, {@link
 * #tryOpen} is empty and the caller reads {@code /proc/net} instead.
 */
public final class NetlinkSocket implements AutoCloseable {
  private static final System.Logger LOG = LazyLogger.of(NetlinkSocket.class);

  // <linux/socket.h>, <linux/netlink.h>, <bits/socket_type.h>, <asm-generic/errno-base.h>
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_SOCK_DIAG = 4;
  private static final int EINTR = 4;

  /** How much one {@code recv} may take: ss reads dumps 32 KiB at a time, we allow twice that. */
  static final int RECEIVE_BUFFER = 64 * 1024;

  private final Arena arena = Arena.ofConfined();
  private final Libc libc;
  private final int fd;
  private final MemorySegment callState;
  private final MemorySegment receiveBuffer;
  private boolean closed;

  private NetlinkSocket(Libc libc, int fd) {
    this.libc = libc;
    this.fd = fd;
    this.callState = arena.allocate(Libc.CALL_STATE);
    this.receiveBuffer = arena.allocate(RECEIVE_BUFFER, 8);
  }

  /** A new sock_diag socket, or empty (logged at debug) where none can be had. */
  public static Optional<NetlinkSocket> tryOpen() {
    Optional<Libc> libc = Libc.LINKED;
    if (libc.isEmpty()) {
      return Optional.empty();
    }
    try (Arena scratch = Arena.ofConfined()) {
      MemorySegment state = scratch.allocate(Libc.CALL_STATE);
      int fd =
          (int)
              libc.get()
                  .socket
                  .invokeExact(state, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
      if (fd < 0) {
        LOG.log(
            System.Logger.Level.DEBUG,
            "socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: errno {0}",
            Libc.errno(state));
        return Optional.empty();
      }
      return Optional.of(new NetlinkSocket(libc.get(), fd));
    } catch (Throwable e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot call socket(2): {0}", e.toString());
      return Optional.empty();
    }
  }

  /**
   * Sends one request to the kernel (an unconnected netlink socket sends to port 0, the kernel).
   */
  void send(MemorySegment request) throws IOException {
    requireOpen();
    try (Arena scratch = Arena.ofConfined()) {
      MemorySegment copy = scratch.allocate(request.byteSize(), 8).copyFrom(request);
      while (true) {
        long sent = (long) libc.send.invokeExact(callState, fd, copy, copy.byteSize(), 0);
        if (sent >= 0) {
          return;
        }
        int errno = Libc.errno(callState);
        if (errno != EINTR) {
          throw new IOException("send on netlink failed: errno " + errno);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits for the next datagram of the answer and returns it, a view of this socket's buffer that
   * the next call overwrites.
   */
  MemorySegment receive() throws IOException {
    requireOpen();
    try {
      while (true) {
        long received =
            (long) libc.recv.invokeExact(callState, fd, receiveBuffer, (long) RECEIVE_BUFFER, 0);
        if (received >= 0) {
          return receiveBuffer.asSlice(0, received);
        }
        int errno = Libc.errno(callState);
        if (errno != EINTR) {
          throw new IOException("recv on netlink failed: errno " + errno);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("netlink socket is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      int rc = (int) libc.close.invokeExact(callState, fd);
      if (rc != 0) {
        LOG.log(
            System.Logger.Level.DEBUG, "close on netlink failed: errno {0}", Libc.errno(callState));
      }
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    } finally {
      arena.close();
    }
  }

  /** libc's socket calls, linked once with errno captured. */
  private static final class Libc {
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    static final Optional<Libc> LINKED = link();

    final MethodHandle socket;
    final MethodHandle send;
    final MethodHandle recv;
    final MethodHandle close;

    @SuppressWarnings("restricted") // the reason for this class; the launcher grants it
    private Libc(Linker linker) {
      var errno = Linker.Option.captureCallState("errno");
      var lookup = linker.defaultLookup();
      socket =
          linker.downcallHandle(
              lookup.findOrThrow("socket"),
              FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
              errno);
      // ssize_t send(int, const void *, size_t, int) and recv alike; LP64: ssize_t and size_t are
      // longs.
      var io = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
      send = linker.downcallHandle(lookup.findOrThrow("send"), io, errno);
      recv = linker.downcallHandle(lookup.findOrThrow("recv"), io, errno);
      close =
          linker.downcallHandle(
              lookup.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
    }

    private static Optional<Libc> link() {
      try {
        return Optional.of(new Libc(Linker.nativeLinker()));
      } catch (RuntimeException | LinkageError e) {
        LOG.log(System.Logger.Level.DEBUG, "cannot link libc for netlink: {0}", e.toString());
        return Optional.empty();
      }
    }

    static int errno(MemorySegment state) {
      return (int) ERRNO.get(state, 0L);
    }
  }
}
