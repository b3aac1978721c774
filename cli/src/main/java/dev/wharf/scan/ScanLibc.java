package dev.wharf.scan;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The libc calls of {@link EpollConnectProber}, linked once, errno captured: socket, connect,
 * getsockname, close and epoll, for x86-64 and aarch64 Linux. The methods return what libc returns
 * and leave errno in the caller's call-state segment ({@link #errno}); they allocate nothing, as
 * they run once or twice a port.
 */
final class ScanLibc {
  // <bits/socket.h>, <sys/epoll.h>, <asm-generic/errno.h>
  static final int AF_UNSPEC = 0;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int SOCK_STREAM = 1;
  static final int SOCK_NONBLOCK = 0x800;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int EPOLL_CLOEXEC = 0x80000;
  static final int EPOLL_CTL_ADD = 1;
  static final int EPOLLOUT = 0x4;
  static final int EINTR = 4;
  static final int EINPROGRESS = 115;
  static final int EALREADY = 114;
  static final int EISCONN = 106;
  static final int ECONNREFUSED = 111;
  static final int ETIMEDOUT = 110;
  static final int EHOSTUNREACH = 113;
  static final int ENETUNREACH = 101;

  /** struct epoll_event: packed on x86-64 (12 bytes), natural alignment elsewhere (16). */
  static final long EPOLL_EVENT_SIZE;

  /** Where an epoll_event's 64-bit data is. */
  static final long EPOLL_DATA_OFFSET;

  static {
    boolean x86 = System.getProperty("os.arch", "").matches("amd64|x86_64");
    EPOLL_EVENT_SIZE = x86 ? 12 : 16;
    EPOLL_DATA_OFFSET = x86 ? 4 : 8;
  }

  static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private static Optional<ScanLibc> linked;

  private final Linker linker;
  private final MethodHandle socket;
  private final MethodHandle connect;
  private final MethodHandle close;
  private final MethodHandle epollCreate1;
  private final MethodHandle epollCtl;
  private final MethodHandle epollWait;
  // Linked when first needed: each handle costs the JVM some milliseconds of code generation at
  // the start, and these two serve open ports and failures only.
  private volatile MethodHandle getsockname;
  private volatile MethodHandle strerror;

  @SuppressWarnings("restricted") // the reason for this class; the launcher grants it
  private ScanLibc(Linker linker) {
    this.linker = linker;
    var errno = Linker.Option.captureCallState("errno");
    var lookup = linker.defaultLookup();
    socket =
        linker.downcallHandle(
            lookup.findOrThrow("socket"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            errno);
    var addressCall = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    connect = linker.downcallHandle(lookup.findOrThrow("connect"), addressCall, errno);
    close =
        linker.downcallHandle(
            lookup.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
    epollCreate1 =
        linker.downcallHandle(
            lookup.findOrThrow("epoll_create1"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
    epollCtl =
        linker.downcallHandle(
            lookup.findOrThrow("epoll_ctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
            errno);
    epollWait =
        linker.downcallHandle(
            lookup.findOrThrow("epoll_wait"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            errno);
  }

  @SuppressWarnings("restricted") // as the constructor
  private synchronized MethodHandle getsocknameHandle() {
    if (getsockname == null) {
      getsockname =
          linker.downcallHandle(
              linker.defaultLookup().findOrThrow("getsockname"),
              FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
              Linker.Option.captureCallState("errno"));
    }
    return getsockname;
  }

  @SuppressWarnings("restricted") // as the constructor
  private synchronized MethodHandle strerrorHandle() {
    if (strerror == null) {
      strerror =
          linker.downcallHandle(
              linker.defaultLookup().findOrThrow("strerror"),
              FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }
    return strerror;
  }

  /**
   * Links libc on a thread of its own, so that the code generation it takes runs while the command
   * does the rest of its start; {@link #get} then waits for it, if it is not done.
   */
  static void linkAhead() {
    Thread.ofPlatform().daemon().name("wharf-scan-link").start(ScanLibc::get);
  }

  /**
   * libc, linked on first use; empty off Linux (x86-64, aarch64) or where this module has no native
   * access (started without {@code --enable-native-access=dev.wharf.cli}), so that the scan falls
   * back to NIO without the JVM's warning.
   */
  static synchronized Optional<ScanLibc> get() {
    if (linked == null) {
      linked = Optional.empty();
      boolean linux = System.getProperty("os.name", "").startsWith("Linux");
      boolean arch = System.getProperty("os.arch", "").matches("amd64|x86_64|aarch64");
      if (linux && arch && ScanLibc.class.getModule().isNativeAccessEnabled()) {
        try {
          linked = Optional.of(new ScanLibc(Linker.nativeLinker()));
        } catch (RuntimeException | LinkageError e) {
          // No libc to link (a static or unusual runtime): NIO does the scan.
        }
      }
    }
    return linked;
  }

  static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  int socket(MemorySegment state, int domain, int type, int protocol) {
    try {
      return (int) socket.invokeExact(state, domain, type, protocol);
    } catch (Throwable e) {
      throw rethrown(e);
    }
  }

  int connect(MemorySegment state, int fd, MemorySegment address, int length) {
    try {
      return (int) connect.invokeExact(state, fd, address, length);
    } catch (Throwable e) {
      throw rethrown(e);
    }
  }

  /** {@code length} holds the buffer's size on the way in, the address's on the way out. */
  int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
    try {
      MethodHandle handle = getsockname;
      if (handle == null) {
        handle = getsocknameHandle();
      }
      return (int) handle.invokeExact(state, fd, address, length);
    } catch (Throwable e) {
      throw rethrown(e);
    }
  }

  int close(MemorySegment state, int fd) {
    try {
      return (int) close.invokeExact(state, fd);
    } catch (Throwable e) {
      throw rethrown(e);
    }
  }

  int epollCreate1(MemorySegment state, int flags) {
    try {
      return (int) epollCreate1.invokeExact(state, flags);
    } catch (Throwable e) {
      throw rethrown(e);
    }
  }

  int epollCtl(MemorySegment state, int epfd, int op, int fd, MemorySegment event) {
    try {
      return (int) epollCtl.invokeExact(state, epfd, op, fd, event);
    } catch (Throwable e) {
      throw rethrown(e);
    }
  }

  int epollWait(MemorySegment state, int epfd, MemorySegment events, int max, int timeoutMillis) {
    try {
      return (int) epollWait.invokeExact(state, epfd, events, max, timeoutMillis);
    } catch (Throwable e) {
      throw rethrown(e);
    }
  }

  /** The system's words for {@code errno}, as an IOException's message says them. */
  @SuppressWarnings("restricted") // strerror's string, which lives as long as the process
  String describe(int errno) {
    try {
      MethodHandle handle = strerror;
      if (handle == null) {
        handle = strerrorHandle();
      }
      var text = (MemorySegment) handle.invokeExact(errno);
      return text.reinterpret(256).getString(0);
    } catch (Throwable e) {
      return "errno " + errno;
    }
  }

  private static RuntimeException rethrown(Throwable e) {
    if (e instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
    return new IllegalStateException(e);
  }
}
