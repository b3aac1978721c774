package dev.wharf.inspect.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wharf.core.LazyLogger;
import dev.wharf.inspect.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link ProcessScan}'s walk of {@code /proc/PID/fd} in libc's {@code openat}, {@code getdents64}
 * and {@code readlinkat}, as ss does it: the directory entries and each link are read into buffers
 * made once, and a link is compared with {@code socket:[} and its inode parsed as bytes, so no
 * String or Path is made per descriptor (the {@code java.nio.file} walk made several). {@code
 * /proc/PID/comm} is read once for a process that holds a socket. Not thread-safe: one instance per
 * scan.
 */
final class ProcFdScan implements AutoCloseable {
  private static final System.Logger LOG = LazyLogger.of(ProcFdScan.class);

  // <asm-generic/fcntl.h>, as x86-64 and AArch64 have them (O_DIRECTORY differs between those two,
  // so it is not used: getdents64 on anything but a directory fails, and that entry is skipped).
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;

  /**
   * A directory read per getdents64: 32 KiB holds about 1,000 descriptors' entries (32 bytes each).
   */
  private static final int DIRENT_BUFFER = 32 * 1024;

  // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
  private static final int DIRENT_RECLEN = 16;
  private static final int DIRENT_NAME = 19;

  private static final byte[] SOCKET_PREFIX = "socket:[".getBytes(StandardCharsets.US_ASCII);
  private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  /** "socket:[" + 20 digits + "]" fits; a longer link is not a socket's. */
  private static final int LINK_BUFFER = 64;

  private final Libc libc;
  private final Arena arena = Arena.ofConfined();
  private final MemorySegment processes = arena.allocate(DIRENT_BUFFER, 8);
  private final MemorySegment descriptors = arena.allocate(DIRENT_BUFFER, 8);
  private final MemorySegment link = arena.allocate(LINK_BUFFER, 8);
  private final MemorySegment pathSegment = arena.allocate(64, 8);
  private final byte[] processNames = new byte[DIRENT_BUFFER];
  private final byte[] descriptorNames = new byte[DIRENT_BUFFER];
  private final byte[] linkBytes = new byte[LINK_BUFFER];
  private final byte[] path = new byte[64];

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
        // A copy on the heap, read with plain array access: a MemorySegment read runs through a
        // VarHandle's layers, slow until compiled, and a command runs once, mostly interpreted.
        MemorySegment.copy(processes, JAVA_BYTE, 0, processNames, 0, (int) read);
        for (int entry = 0; entry < read; entry += reclen(processNames, entry)) {
          int pid = number(processNames, entry + DIRENT_NAME);
          if (pid >= 0) {
            scanProcess(proc, entry + DIRENT_NAME, pid, owners);
          }
        }
      }
      return listed;
    } finally {
      int closed = (int) libc.close.invokeExact(proc);
    }
  }

  /** The descriptors of one process; skipped when its fd directory cannot be read (as ss). */
  private void scanProcess(int proc, int name, int pid, Map<Long, List<Owner>> owners)
      throws Throwable {
    int digits = pathOf(name, "/fd");
    int fdDir = (int) libc.openat.invokeExact(proc, pathSegment, flags(), 0);
    if (fdDir < 0) {
      return; // the process ended, or its descriptors are not ours to read
    }
    Process process = new Process(pid, new String(path, 0, digits, StandardCharsets.US_ASCII));
    try {
      long read;
      while ((read = (long) libc.getdents64.invokeExact(fdDir, descriptors, (long) DIRENT_BUFFER))
          > 0) {
        MemorySegment.copy(descriptors, JAVA_BYTE, 0, descriptorNames, 0, (int) read);
        for (int entry = 0; entry < read; entry += reclen(descriptorNames, entry)) {
          descriptor(fdDir, entry + DIRENT_NAME, process, owners);
        }
      }
    } finally {
      int closed = (int) libc.close.invokeExact(fdDir);
    }
  }

  /**
   * Adds the descriptor whose entry name starts at {@code name} if it is a socket. A method of its
   * own so that C1 compiles it after a few hundred calls (a loop's body waits for 60,000).
   */
  private void descriptor(int fdDir, int name, Process process, Map<Long, List<Owner>> owners)
      throws Throwable {
    int fd = number(descriptorNames, name);
    if (fd < 0) {
      return; // "." and ".."
    }
    long inode = socketInode(fdDir, name);
    if (inode >= 0) {
      owners
          .computeIfAbsent(inode, key -> new ArrayList<>(1))
          .add(new Owner(process.pid, process.command(), fd));
    }
  }

  /** The inode of the socket descriptor {@code name} links to, or -1 if it is not a socket's. */
  private long socketInode(int fdDir, int name) throws Throwable {
    int length =
        (int)
            (long)
                libc.readlinkat.invokeExact(
                    fdDir, descriptors.asSlice(name), link, (long) LINK_BUFFER);
    if (length < 10 || length >= LINK_BUFFER) {
      return -1; // closed meanwhile, or not a socket's: "socket:[" + digits + "]" is short
    }
    MemorySegment.copy(link, JAVA_BYTE, 0, linkBytes, 0, length);
    if (!Arrays.equals(linkBytes, 0, 8, SOCKET_PREFIX, 0, 8) || linkBytes[length - 1] != ']') {
      return -1; // a file, pipe or anon_inode
    }
    long inode = 0;
    for (int i = 8; i < length - 1; i++) {
      byte digit = linkBytes[i];
      if (digit < '0' || digit > '9') {
        return -1;
      }
      inode = inode * 10 + (digit - '0');
    }
    return inode;
  }

  /**
   * Writes "PID" + {@code suffix} + NUL into {@code path}, the pid's digits from the /proc entry.
   */
  private int pathOf(int name, String suffix) {
    int digits = 0;
    while (processNames[name + digits] != 0) {
      path[digits] = processNames[name + digits];
      digits++;
    }
    int at = digits;
    for (int i = 0; i < suffix.length(); i++) {
      path[at++] = (byte) suffix.charAt(i);
    }
    path[at++] = 0;
    MemorySegment.copy(path, 0, pathSegment, JAVA_BYTE, 0, at);
    return digits;
  }

  /** The entry's name as a non-negative int if it is all digits ("." and ".." are not), or -1. */
  private static int number(byte[] names, int name) {
    int value = 0;
    int digits = 0;
    for (byte b; (b = names[name + digits]) != 0; digits++) {
      if (b < '0' || b > '9' || digits == 9) {
        return -1;
      }
      value = value * 10 + (b - '0');
    }
    return digits == 0 ? -1 : value;
  }

  /** d_reclen, a u16 in the machine's order. */
  private static int reclen(byte[] entries, int entry) {
    int first = entries[entry + DIRENT_RECLEN] & 0xff;
    int second = entries[entry + DIRENT_RECLEN + 1] & 0xff;
    return LITTLE_ENDIAN ? first | second << 8 : first << 8 | second;
  }

  private static int flags() {
    return O_RDONLY | O_CLOEXEC;
  }

  /** A process whose descriptors are being read; its command is read at its first socket. */
  private static final class Process {
    final int pid;
    private final String directory;
    private String command;

    Process(int pid, String directory) {
      this.pid = pid;
      this.directory = directory;
    }

    /** {@code /proc/PID/comm} without its newline; empty if the process has gone. */
    String command() {
      if (command == null) {
        try {
          String comm = Files.readString(Path.of("/proc", directory, "comm"));
          command = comm.endsWith("\n") ? comm.substring(0, comm.length() - 1) : comm;
        } catch (IOException | UncheckedIOException e) {
          command = "";
        }
      }
      return command;
    }
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
