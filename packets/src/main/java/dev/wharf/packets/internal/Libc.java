package dev.wharf.packets.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wharf.packets.PacketSocketException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * libc's socket calls, linked once with {@code errno} captured, for x86-64 and aarch64 Linux (LP64:
 * {@code size_t} and {@code ssize_t} are Java longs). Each method throws {@link
 * PacketSocketException} with the errno where the call fails, and retries on {@code EINTR}. Safe
 * from any thread: the call state each call captures errno into is the caller's.
 */
public final class Libc {
  // <bits/socket.h>, <netinet/in.h>, <asm-generic/errno-base.h>, <poll.h>
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;
  public static final int AF_PACKET = 17;
  public static final int SOCK_DGRAM = 2;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int EPERM = 1;
  public static final int EINTR = 4;
  public static final int EAGAIN = 11;
  public static final int EACCES = 13;
  public static final int MSG_DONTWAIT = 0x40;
  public static final int MSG_ERRQUEUE = 0x2000;
  static final short POLLIN = 0x1;
  // <sys/mman.h>
  static final int PROT_READ = 0x1;
  static final int PROT_WRITE = 0x2;
  static final int MAP_SHARED = 0x1;

  static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private static Libc linked;

  private final MethodHandle socket;
  private final MethodHandle setsockopt;
  private final MethodHandle getsockopt;
  private final MethodHandle bind;
  private final MethodHandle sendto;
  private final MethodHandle sendmmsg;
  private final MethodHandle recvmsg;
  private final MethodHandle poll;
  private final MethodHandle close;
  private final MethodHandle strerror;
  private final MethodHandle mmap;
  private final MethodHandle munmap;
  private final MethodHandle getnameinfo;
  private final MethodHandle ioctl;

  @SuppressWarnings("restricted") // the reason for this class; the launcher grants it
  private Libc(Linker linker) {
    var errno = Linker.Option.captureCallState("errno");
    var lookup = linker.defaultLookup();
    socket =
        linker.downcallHandle(
            lookup.findOrThrow("socket"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            errno);
    var sockopt = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    setsockopt =
        linker.downcallHandle(
            lookup.findOrThrow("setsockopt"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            errno);
    getsockopt = linker.downcallHandle(lookup.findOrThrow("getsockopt"), sockopt, errno);
    bind =
        linker.downcallHandle(
            lookup.findOrThrow("bind"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            errno);
    sendto =
        linker.downcallHandle(
            lookup.findOrThrow("sendto"),
            FunctionDescriptor.of(
                JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            errno);
    sendmmsg =
        linker.downcallHandle(
            lookup.findOrThrow("sendmmsg"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            errno);
    recvmsg =
        linker.downcallHandle(
            lookup.findOrThrow("recvmsg"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            errno);
    poll =
        linker.downcallHandle(
            lookup.findOrThrow("poll"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            errno);
    close =
        linker.downcallHandle(
            lookup.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
    strerror =
        linker.downcallHandle(
            lookup.findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    mmap =
        linker.downcallHandle(
            lookup.findOrThrow("mmap"),
            FunctionDescriptor.of(
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            errno);
    munmap =
        linker.downcallHandle(
            lookup.findOrThrow("munmap"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG),
            errno);
    // int getnameinfo(const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t,
    // int): socklen_t is an unsigned 32-bit int.
    // int ioctl(int, unsigned long, ...): the request's pointer is the first variadic argument.
    ioctl =
        linker.downcallHandle(
            lookup.findOrThrow("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            errno,
            Linker.Option.firstVariadicArg(2));
    getnameinfo =
        linker.downcallHandle(
            lookup.findOrThrow("getnameinfo"),
            FunctionDescriptor.of(
                JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  // <linux/sockios.h>, <linux/ethtool.h>, <net/if.h>
  private static final long SIOCETHTOOL = 0x8946;
  private static final int ETHTOOL_GLINK = 0x0a;
  private static final int IFNAMSIZ = 16;
  private static final int IFREQ_SIZE = 40;

  /**
   * Whether the interface's link is up, as the driver tells ethtool (ETHTOOL_GLINK, what {@code
   * ethtool IFACE} prints as "Link detected" and libpcap as Connected or Disconnected); empty where
   * the driver does not say (ifb, tun) or there is no such interface.
   */
  public java.util.Optional<Boolean> linkDetected(String interfaceName) {
    byte[] name = interfaceName.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (name.length >= IFNAMSIZ) {
      return java.util.Optional.empty();
    }
    int fd;
    try {
      fd = socket(AF_INET, SOCK_DGRAM, 0);
    } catch (PacketSocketException e) {
      return java.util.Optional.empty();
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(8); // struct ethtool_value { u32 cmd; u32 data; }
      value.set(JAVA_INT, 0, ETHTOOL_GLINK);
      MemorySegment request = arena.allocate(IFREQ_SIZE); // struct ifreq: the name, then ifr_data
      request.copyFrom(MemorySegment.ofArray(name));
      request.set(ADDRESS, IFNAMSIZ, value);
      MemorySegment state = arena.allocate(CALL_STATE);
      int rc = (int) ioctl.invokeExact(state, fd, SIOCETHTOOL, request);
      return rc == 0
          ? java.util.Optional.of(value.get(JAVA_INT, 4) != 0)
          : java.util.Optional.empty();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    } finally {
      close(fd);
    }
  }

  // <netdb.h>
  private static final int NI_MAXHOST = 1025;
  private static final int NI_NAMEREQD = 8;

  /**
   * The resolver's name for {@code address} (getnameinfo(3) with NI_NAMEREQD: /etc/hosts, DNS, as
   * nsswitch.conf says), empty where it has none. As tcpdump's gethostbyaddr, and unlike the JDK's
   * {@code getHostName}, the name is not looked up again to check that it leads back to the
   * address. Blocks for as long as the resolver takes.
   */
  public java.util.Optional<String> nameOf(java.net.InetAddress address) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment sockaddr = SocketAddresses.of(arena, address, 0);
      MemorySegment host = arena.allocate(NI_MAXHOST);
      int rc =
          (int)
              getnameinfo.invokeExact(
                  sockaddr,
                  (int) sockaddr.byteSize(),
                  host,
                  NI_MAXHOST,
                  MemorySegment.NULL,
                  0,
                  NI_NAMEREQD);
      return rc == 0 ? java.util.Optional.of(host.getString(0)) : java.util.Optional.empty();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * libc, linked on first use.
   *
   * @throws PacketSocketException where the JVM refuses native access or is not on Linux
   */
  public static synchronized Libc get() throws PacketSocketException {
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      throw new PacketSocketException(0, "packet sockets are Linux-only for now");
    }
    if (linked == null) {
      try {
        linked = new Libc(Linker.nativeLinker());
      } catch (RuntimeException | LinkageError e) {
        throw new PacketSocketException(
            0,
            "cannot call libc (start Java with --enable-native-access=dev.wharf.packets): "
                + e.getMessage());
      }
    }
    return linked;
  }

  public int socket(int domain, int type, int protocol) throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd = (int) socket.invokeExact(state, domain, type | SOCK_CLOEXEC, protocol);
      if (fd < 0) {
        throw failure("socket", errno(state));
      }
      return fd;
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  public void setsockopt(int fd, int level, int name, MemorySegment value)
      throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int rc = (int) setsockopt.invokeExact(state, fd, level, name, value, (int) value.byteSize());
      if (rc != 0) {
        throw failure("setsockopt(" + level + ", " + name + ")", errno(state));
      }
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  public void setsockopt(int fd, int level, int name, int value) throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      setsockopt(fd, level, name, arena.allocateFrom(JAVA_INT, value));
    }
  }

  /** Reads an option into {@code value} and returns how many bytes the kernel wrote. */
  public int getsockopt(int fd, int level, int name, MemorySegment value)
      throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
      int rc = (int) getsockopt.invokeExact(state, fd, level, name, value, length);
      if (rc != 0) {
        throw failure("getsockopt(" + level + ", " + name + ")", errno(state));
      }
      return length.get(JAVA_INT, 0);
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  public void bind(int fd, MemorySegment address) throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int rc = (int) bind.invokeExact(state, fd, address, (int) address.byteSize());
      if (rc != 0) {
        throw failure("bind", errno(state));
      }
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends one datagram to {@code address}; returns the bytes sent. */
  public long sendto(int fd, MemorySegment data, MemorySegment address)
      throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      while (true) {
        long sent =
            (long)
                sendto.invokeExact(
                    state, fd, data, data.byteSize(), 0, address, (int) address.byteSize());
        if (sent >= 0) {
          return sent;
        }
        if (errno(state) != EINTR) {
          throw failure("sendto", errno(state));
        }
      }
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends the first {@code count} messages of {@code messages} (an array of {@code struct mmsghdr})
   * in one call; how many went, from the first. A failure on the first message is thrown (the
   * caller may treat {@code ENOBUFS} as "none went"); one on a later message ends the call early,
   * as sendmmsg(2) reports it, and the caller learns of it by trying that message again.
   */
  public int sendmmsg(int fd, MemorySegment messages, int count) throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      while (true) {
        int sent = (int) sendmmsg.invokeExact(state, fd, messages, count, 0);
        if (sent >= 0) {
          return sent;
        }
        if (errno(state) != EINTR) {
          throw failure("sendmmsg", errno(state));
        }
      }
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code recvmsg} with {@code MSG_DONTWAIT}: the bytes read, or -1 when nothing is waiting. */
  public long recvmsgNow(int fd, MemorySegment message) throws PacketSocketException {
    return recvmsgNow(fd, message, 0);
  }

  /**
   * {@code recvmsg} with {@code MSG_DONTWAIT} and {@code flags} ({@link #MSG_ERRQUEUE}): the bytes
   * read, or -1 when nothing is waiting.
   */
  public long recvmsgNow(int fd, MemorySegment message, int flags) throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      while (true) {
        long received = (long) recvmsg.invokeExact(state, fd, message, MSG_DONTWAIT | flags);
        if (received >= 0) {
          return received;
        }
        int errno = errno(state);
        if (errno == EAGAIN) {
          return -1;
        }
        if (errno != EINTR) {
          throw failure("recvmsg", errno);
        }
      }
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for {@code fd} to be readable; true when it is. An
   * interrupted wait (a signal) counts as a timeout: the caller's loop looks at the clock again.
   */
  public boolean pollIn(int fd, int timeoutMillis) throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      // struct pollfd { int fd; short events; short revents; }
      MemorySegment pollfd = arena.allocate(8, 4);
      pollfd.set(JAVA_INT, 0, fd);
      pollfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, POLLIN);
      int rc = (int) poll.invokeExact(state, pollfd, 1L, timeoutMillis);
      if (rc < 0) {
        if (errno(state) == EINTR) {
          return false;
        }
        throw failure("poll", errno(state));
      }
      return rc > 0;
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  public void close(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int rc = (int) close.invokeExact(state, fd);
      // close(2): even on an error the descriptor is released; nothing to retry.
      assert rc == 0 || rc == -1;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Maps {@code length} bytes of {@code fd} shared, readable and writable (a packet socket's ring):
   * the mapping, sized, until {@link #munmap}.
   */
  @SuppressWarnings("restricted") // the kernel's mapping, exactly length bytes long
  public MemorySegment mmapShared(int fd, long length) throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      MemorySegment address =
          (MemorySegment)
              mmap.invokeExact(
                  state, MemorySegment.NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
      if (address.address() == -1L) {
        throw failure("mmap", errno(state));
      }
      return address.reinterpret(length);
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  public void munmap(MemorySegment mapping) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int rc = (int) munmap.invokeExact(state, mapping, mapping.byteSize());
      // munmap(2) fails only for an address that was never mapped: a bug here, not the caller's.
      if (rc != 0) {
        throw new IllegalStateException("munmap: " + strerror(errno(state)));
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** libc's text for an errno ("Operation not permitted"). */
  @SuppressWarnings("restricted") // strerror's static buffer, read at once
  public String strerror(int errno) {
    try {
      MemorySegment text = (MemorySegment) strerror.invokeExact(errno);
      return text.reinterpret(256).getString(0);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private PacketSocketException failure(String call, int errno) {
    return new PacketSocketException(errno, call + ": " + strerror(errno));
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }
}
