package dev.wharf.bench.http;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

/**
 * bench/c/plaintext-epoll.c once more, with the system calls made straight through the
 * foreign-function API instead of {@code java.nio}: socket, epoll_wait, read and write on raw
 * descriptors, read and write as critical downcalls (no thread-state transition; they never block
 * on a non-blocking socket). Beside {@link NioFloorPlaintextServer} it shows what a transport of
 * our own under the engine could save against the JDK's selector and channels. Linux x86-64 only
 * (epoll_event's packed layout); not a server to use.
 */
final class FfmFloorPlaintextServer {
  private static final int IN_CAP = 65536;
  private static final int OUT_CAP = 256 * 1024;
  private static final int MAX_EVENTS = 256;
  private static final int EVENT_SIZE = 12; // struct epoll_event is packed on x86-64
  private static final int AF_INET = 2;
  private static final int SOCK_STREAM = 1;
  private static final int SOCK_NONBLOCK = 04000;
  private static final int EPOLLIN = 1;
  private static final int EPOLLOUT = 4;
  private static final int EPOLLERR = 8;
  private static final int EPOLLHUP = 0x10;
  private static final int EPOLL_CTL_ADD = 1;
  private static final int EPOLL_CTL_DEL = 2;
  private static final int EPOLL_CTL_MOD = 3;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle SOCKET = call("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle SETSOCKOPT =
      call("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle BIND = call("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle LISTEN = call("listen", JAVA_INT, JAVA_INT, JAVA_INT);
  private static final MethodHandle GETSOCKNAME =
      call("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
  private static final MethodHandle ACCEPT4 =
      call("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
  private static final MethodHandle CLOSE = call("close", JAVA_INT, JAVA_INT);
  private static final MethodHandle EPOLL_CREATE1 = call("epoll_create1", JAVA_INT, JAVA_INT);
  private static final MethodHandle EPOLL_CTL =
      call("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
  private static final MethodHandle EPOLL_WAIT =
      call("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
  private static final MethodHandle READ =
      critical("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
  private static final MethodHandle WRITE =
      critical("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);

  private final Arena arena = Arena.ofShared();
  private final int listenFd;
  private final int epfd;
  private final MemorySegment events = arena.allocate((long) EVENT_SIZE * MAX_EVENTS, 8);
  private final MemorySegment event = arena.allocate(EVENT_SIZE, 8);
  private final MemorySegment batch = arena.allocate(OUT_CAP, 8);
  private final Conn[] conns = new Conn[65536];
  private final FloorHttp http = new FloorHttp("ffm");
  private volatile boolean running = true;

  /** One connection: its unread input, and what the socket did not take yet. */
  private static final class Conn {
    final Arena arena = Arena.ofConfined();
    final MemorySegment in = arena.allocate(IN_CAP, 8);
    long inLength;
    byte[] out; // only while the peer's window is full
    int outOffset;
  }

  private FfmFloorPlaintextServer(InetSocketAddress address) throws Throwable {
    listenFd = (int) SOCKET.invokeExact(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    MemorySegment one = arena.allocateFrom(JAVA_INT, 1);
    int unused = (int) SETSOCKOPT.invokeExact(listenFd, 1, 2, one, 4); // SO_REUSEADDR
    MemorySegment addr = arena.allocate(16, 4);
    addr.set(JAVA_SHORT, 0, (short) AF_INET);
    addr.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) address.getPort());
    MemorySegment.copy(address.getAddress().getAddress(), 0, addr, JAVA_BYTE, 4, 4);
    if ((int) BIND.invokeExact(listenFd, addr, 16) < 0
        || (int) LISTEN.invokeExact(listenFd, 1024) < 0) {
      throw new IOException("bind/listen failed on " + address);
    }
    epfd = (int) EPOLL_CREATE1.invokeExact(0);
    control(EPOLL_CTL_ADD, listenFd, EPOLLIN);
  }

  static BoundServer start(InetSocketAddress address) throws IOException {
    FfmFloorPlaintextServer server;
    int port;
    try {
      server = new FfmFloorPlaintextServer(address);
      port = server.localPort();
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException(e);
    }
    Thread loop = Thread.ofPlatform().name("ffm-floor-loop").start(server::runLoop);
    return new BoundServer(
        port,
        () -> {
          server.running = false;
          try {
            loop.join();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  private int localPort() throws Throwable {
    MemorySegment addr = arena.allocate(16, 4);
    MemorySegment len = arena.allocateFrom(JAVA_INT, 16);
    int unused = (int) GETSOCKNAME.invokeExact(listenFd, addr, len);
    return Short.toUnsignedInt(addr.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2));
  }

  private void runLoop() {
    try {
      while (running) {
        // Not critical: it blocks, and a critical call would hold every safepoint until it returns.
        int n = (int) EPOLL_WAIT.invokeExact(epfd, events, MAX_EVENTS, 100);
        for (int i = 0; i < n; i++) {
          long at = (long) i * EVENT_SIZE;
          int ready = events.get(JAVA_INT_UNALIGNED, at);
          int fd = (int) events.get(JAVA_LONG_UNALIGNED, at + 4);
          if (fd == listenFd) {
            accept();
          } else {
            ready(fd, ready);
          }
        }
      }
      int unused = (int) CLOSE.invokeExact(listenFd);
      unused = (int) CLOSE.invokeExact(epfd);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private void accept() throws Throwable {
    int fd;
    while ((fd =
            (int)
                ACCEPT4.invokeExact(
                    listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_NONBLOCK))
        >= 0) {
      MemorySegment one = event.asSlice(0, 4); // scratch: TCP_NODELAY's value
      one.set(JAVA_INT, 0, 1);
      int unused = (int) SETSOCKOPT.invokeExact(fd, 6, 1, one, 4); // IPPROTO_TCP, TCP_NODELAY
      conns[fd] = new Conn();
      control(EPOLL_CTL_ADD, fd, EPOLLIN);
    }
  }

  private void ready(int fd, int ready) throws Throwable {
    Conn c = conns[fd];
    if (c == null) {
      return;
    }
    if ((ready & (EPOLLERR | EPOLLHUP)) != 0 && (ready & EPOLLIN) == 0) {
      close(fd);
      return;
    }
    if ((ready & EPOLLOUT) != 0 && flushOut(fd, c)) {
      control(EPOLL_CTL_MOD, fd, EPOLLIN);
    }
    if ((ready & EPOLLIN) != 0) {
      readable(fd, c);
    }
  }

  private void readable(int fd, Conn c) throws Throwable {
    long n = (long) READ.invokeExact(fd, c.in.asSlice(c.inLength), IN_CAP - c.inLength);
    if (n == 0) {
      close(fd);
      return;
    }
    if (n < 0) {
      return; // EAGAIN, or an error epoll reports next (EPOLLERR / EPOLLHUP)
    }
    c.inLength += n;
    byte[] response = http.now();
    long consumed = 0;
    long batchLength = 0;
    long end;
    while ((end = FloorHttp.endOfRequest(c.in, consumed, c.inLength)) >= 0
        && batchLength + response.length <= OUT_CAP) {
      consumed = end;
      MemorySegment.copy(response, 0, batch, JAVA_BYTE, batchLength, response.length);
      batchLength += response.length;
    }
    if (consumed > 0) {
      MemorySegment.copy(c.in, consumed, c.in, 0, c.inLength - consumed);
      c.inLength -= consumed;
    }
    if (c.inLength == IN_CAP) {
      close(fd); // A request larger than the buffer: not ours to serve.
      return;
    }
    if (batchLength == 0) {
      return;
    }
    long written = 0;
    if (c.out == null) {
      written = Math.max(0, (long) WRITE.invokeExact(fd, batch, batchLength));
    }
    if (written < batchLength) {
      byte[] rest = batch.asSlice(written, batchLength - written).toArray(JAVA_BYTE);
      if (c.out == null) {
        c.out = rest;
        c.outOffset = 0;
      } else {
        byte[] joined = new byte[c.out.length - c.outOffset + rest.length];
        System.arraycopy(c.out, c.outOffset, joined, 0, c.out.length - c.outOffset);
        System.arraycopy(rest, 0, joined, c.out.length - c.outOffset, rest.length);
        c.out = joined;
        c.outOffset = 0;
      }
      control(EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLOUT);
    }
  }

  /** Writes what waits; true when nothing is left. */
  private boolean flushOut(int fd, Conn c) throws Throwable {
    if (c.out == null) {
      return true;
    }
    int left = c.out.length - c.outOffset;
    MemorySegment.copy(c.out, c.outOffset, batch, JAVA_BYTE, 0, left);
    long n = (long) WRITE.invokeExact(fd, batch, (long) left);
    if (n > 0) {
      c.outOffset += (int) n;
    }
    if (c.outOffset < c.out.length) {
      return false;
    }
    c.out = null;
    return true;
  }

  private void control(int op, int fd, int interest) throws Throwable {
    event.set(JAVA_INT_UNALIGNED, 0, interest);
    event.set(JAVA_LONG_UNALIGNED, 4, fd);
    int unused = (int) EPOLL_CTL.invokeExact(epfd, op, fd, event);
  }

  private void close(int fd) throws Throwable {
    control(EPOLL_CTL_DEL, fd, 0);
    int unused = (int) CLOSE.invokeExact(fd);
    Conn c = conns[fd];
    conns[fd] = null;
    if (c != null) {
      c.arena.close();
    }
  }

  @SuppressWarnings("restricted") // the point of this server; bench servers run with native access
  private static MethodHandle call(
      String name, java.lang.foreign.MemoryLayout result, java.lang.foreign.MemoryLayout... args) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(), FunctionDescriptor.of(result, args));
  }

  @SuppressWarnings("restricted")
  private static MethodHandle critical(
      String name, java.lang.foreign.MemoryLayout result, java.lang.foreign.MemoryLayout... args) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(),
        FunctionDescriptor.of(result, args),
        Linker.Option.critical(false));
  }
}
