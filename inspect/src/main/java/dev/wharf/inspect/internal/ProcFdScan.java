package dev.wharf.inspect.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.wharf.inspect.Owner;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link ProcessScan}'s walk of {@code /proc/PID/fd} in libc's {@code openat}, {@code getdents64}
 * and {@code readlinkat}, as ss does it: the directory entries and each link are read into native
 * buffers made once, and a link is compared with {@code socket:[} and its inode parsed as bytes, so
 * no String or Path is made per descriptor (the {@code java.nio.file} walk made several, and a
 * third of {@code -p}'s time went to them). Not thread-safe: one instance per scan.
 */
final class ProcFdScan implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ProcFdScan.class.getName());

  // <fcntl.h>: the same on every Linux architecture (O_DIRECTORY is not, so it is not used:
  // getdents64 on anything else fails, and that entry is skipped).
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;

  /** A directory read per getdents64: 32 KiB holds about 1,300 descriptors' entries. */
  private static final int DIRENT_BUFFER = 32 * 1024;

  // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
  private static final int DIRENT_RECLEN = 16;
  private static final int DIRENT_NAME = 19;

  /** "socket:[" as the first eight bytes of a link, read as one long in the machine's order. */
  private static final long SOCKET_PREFIX =
      MemorySegment.ofArray("socket:[".getBytes(StandardCharsets.US_ASCII))
          .get(JAVA_LONG_UNALIGNED, 0);

  /** "socket:[" + 20 digits + "]" fits; a longer link is not a socket's. */
  private static final int LINK_BUFFER = 64;

  private final Libc libc;
  private final Arena arena = Arena.ofConfined();
  private final MemorySegment processes = arena.allocate(DIRENT_BUFFER, 8);
  private final MemorySegment descriptors = arena.allocate(DIRENT_BUFFER, 8);
  private final MemorySegment link = arena.allocate(LINK_BUFFER, 8);
  private final MemorySegment path = arena.allocate(64, 8);
  private final MemorySegment comm = arena.allocate(64, 8);

  private ProcFdScan(Libc libc) {
    this.libc = libc;
  }

  /** A scanner, or empty (logged at debug) where libc cannot be linked (native access denied). */
  static Optional<ProcFdScan> tryCreate() {
    return Libc.LINKED.map(ProcFdScan::new);
  }

  /**
   * Adds the owners of each socket inode found under {@code /proc} to {@code owners}.
   *
   * @return false, having added nothing, when {@code /proc} cannot be opened or listed
   */
  boolean scan(Map<Long, List<Owner>> owners) throws Throwable {
    int proc = (int) libc.openat.invokeExact(-100, arena.allocateFrom("/proc"), flags(), 0);
    if (proc < 0) {
      return false;
    }
    try {
      boolean listed = false;
      long read;
      while ((read = (long) libc.getdents64.invokeExact(proc, processes, (long) DIRENT_BUFFER))
          > 0) {
        listed = true;
        for (long entry = 0; entry < read; entry += reclen(processes, entry)) {
          int pid = number(processes, entry + DIRENT_NAME);
          if (pid >= 0) {
            scanProcess(proc, processes, entry + DIRENT_NAME, pid, owners);
          }
        }
      }
      return listed;
    } finally {
      int closed = (int) libc.close.invokeExact(proc);
    }
  }

  /** The descriptors of one process; skipped when its fd directory cannot be read (as ss). */
  private void scanProcess(
      int proc, MemorySegment names, long name, int pid, Map<Long, List<Owner>> owners)
      throws Throwable {
    pathOf(names, name, "/fd");
    int fdDir = (int) libc.openat.invokeExact(proc, path, flags(), 0);
    if (fdDir < 0) {
      return; // the process ended, or its descriptors are not ours to read
    }
    String command = null;
    try {
      long read;
      while ((read = (long) libc.getdents64.invokeExact(fdDir, descriptors, (long) DIRENT_BUFFER))
          > 0) {
        for (long entry = 0; entry < read; entry += reclen(descriptors, entry)) {
          int fd = number(descriptors, entry + DIRENT_NAME);
          long inode = fd < 0 ? -1 : socketInode(fdDir, entry + DIRENT_NAME);
          if (inode < 0) {
            continue;
          }
          if (command == null) {
            command = command(proc, names, name);
          }
          owners.computeIfAbsent(inode, key -> new ArrayList<>(1)).add(new Owner(pid, command, fd));
        }
      }
    } finally {
      int closed = (int) libc.close.invokeExact(fdDir);
    }
  }

  /** The inode of the socket descriptor {@code name} links to, or -1 if it is not a socket's. */
  private long socketInode(int fdDir, long name) throws Throwable {
    long length =
        (long)
            libc.readlinkat.invokeExact(fdDir, descriptors.asSlice(name), link, (long) LINK_BUFFER);
    if (length < 10
        || length >= LINK_BUFFER
        || link.get(JAVA_LONG_UNALIGNED, 0) != SOCKET_PREFIX
        || link.get(JAVA_BYTE, length - 1) != ']') {
      return -1; // closed meanwhile, or a file, pipe or anon_inode
    }
    long inode = 0;
    for (long i = 8; i < length - 1; i++) {
      byte digit = link.get(JAVA_BYTE, i);
      if (digit < '0' || digit > '9') {
        return -1;
      }
      inode = inode * 10 + (digit - '0');
    }
    return inode;
  }

  /** {@code /proc/PID/comm} without its newline; empty if the process has gone. */
  private String command(int proc, MemorySegment names, long name) throws Throwable {
    pathOf(names, name, "/comm");
    int file = (int) libc.openat.invokeExact(proc, path, O_RDONLY | O_CLOEXEC, 0);
    if (file < 0) {
      return "";
    }
    long read;
    try {
      read = (long) libc.read.invokeExact(file, comm, comm.byteSize());
    } finally {
      int closed = (int) libc.close.invokeExact(file);
    }
    if (read <= 0) {
      return "";
    }
    if (comm.get(JAVA_BYTE, read - 1) == '\n') {
      read--;
    }
    return new String(comm.asSlice(0, read).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
  }

  /** Writes "PID" + {@code suffix} + NUL into {@code path}; the pid's digits are {@code name}'s. */
  private void pathOf(MemorySegment names, long name, String suffix) {
    int at = 0;
    for (byte b; (b = names.get(JAVA_BYTE, name + at)) != 0; at++) {
      path.set(JAVA_BYTE, at, b);
    }
    for (int i = 0; i < suffix.length(); i++) {
      path.set(JAVA_BYTE, at++, (byte) suffix.charAt(i));
    }
    path.set(JAVA_BYTE, at, (byte) 0);
  }

  /** The entry's name as a non-negative int if it is all digits ("." and ".." are not), or -1. */
  private static int number(MemorySegment names, long name) {
    int value = 0;
    int digits = 0;
    for (byte b; (b = names.get(JAVA_BYTE, name + digits)) != 0; digits++) {
      if (b < '0' || b > '9' || digits == 9) {
        return -1;
      }
      value = value * 10 + (b - '0');
    }
    return digits == 0 ? -1 : value;
  }

  private static int reclen(MemorySegment entries, long entry) {
    return entries.get(JAVA_SHORT_UNALIGNED, entry + DIRENT_RECLEN) & 0xffff;
  }

  private static int flags() {
    return O_RDONLY | O_CLOEXEC;
  }

  @Override
  public void close() {
    arena.close();
  }

  /** libc's file calls, linked once. errno is not needed: any failure skips that entry. */
  private static final class Libc {
    static final Optional<Libc> LINKED = link();

    final MethodHandle openat;
    final MethodHandle getdents64;
    final MethodHandle readlinkat;
    final MethodHandle read;
    final MethodHandle close;

    @SuppressWarnings("restricted") // the reason for this class; the launcher grants it
    private Libc(Linker linker) {
      var lookup = linker.defaultLookup();
      // int openat(int, const char *, int, ...): the mode is the variadic argument.
      openat =
          linker.downcallHandle(
              lookup.findOrThrow("openat"),
              FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
              Linker.Option.firstVariadicArg(3));
      // ssize_t getdents64(int, void *, size_t) (glibc 2.30); LP64: ssize_t and size_t are longs.
      getdents64 =
          linker.downcallHandle(
              lookup.findOrThrow("getdents64"),
              FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
      readlinkat =
          linker.downcallHandle(
              lookup.findOrThrow("readlinkat"),
              FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
      read =
          linker.downcallHandle(
              lookup.findOrThrow("read"),
              FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
      close =
          linker.downcallHandle(
              lookup.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static Optional<Libc> link() {
      try {
        return Optional.of(new Libc(Linker.nativeLinker()));
      } catch (RuntimeException | LinkageError e) {
        LOG.log(System.Logger.Level.DEBUG, "cannot link libc for /proc: {0}", e.toString());
        return Optional.empty();
      }
    }
  }
}
