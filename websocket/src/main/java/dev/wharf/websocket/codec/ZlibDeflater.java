package dev.wharf.websocket.codec;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Raw DEFLATE through the system's zlib, called with the FFM API: the one compressor here that can
 * keep to a window under 15 bits, which {@link java.util.zip.Deflater} cannot (RFC 7692 §7.1.2: a
 * peer may ask for 8..15). Used by {@link MessageDeflater} only when a smaller window was agreed.
 * Not thread-safe; use on one thread at a time (the connection's loop).
 *
 * <p>The {@code z_stream} and the staging buffers live in an arena of this deflater's own, zlib's
 * state in what zlib allocated; {@link #close} frees both. zlib is looked up once ({@code
 * libz.so.1}, the library the JDK itself uses on Linux); where it cannot be loaded or native access
 * is denied, {@link #isAvailable} is false and the caller does without.
 */
final class ZlibDeflater implements AutoCloseable {
  private static final int Z_OK = 0;
  private static final int Z_BUF_ERROR = -5;
  private static final int Z_NO_FLUSH = 0;
  private static final int Z_SYNC_FLUSH = 2;
  private static final int Z_DEFLATED = 8;
  private static final int Z_DEFAULT_STRATEGY = 0;
  private static final int MEM_LEVEL = 8; // zlib's default
  private static final int CHUNK = 16 * 1024;

  private static final AtomicInteger LIVE = new AtomicInteger();

  private final Arena arena = Arena.ofShared(); // close() may come from another thread than use
  private final MemorySegment stream;
  private final MemorySegment in;
  private final MemorySegment out;
  private boolean closed;

  /**
   * A raw deflater; call only when {@link #isAvailable}.
   *
   * @param level 0..9
   * @param windowBits 9..15 (zlib refuses 8 for raw DEFLATE)
   */
  ZlibDeflater(int level, int windowBits) {
    if (windowBits < 9 || windowBits > 15) {
      throw new IllegalArgumentException("zlib's raw deflate window is 9..15 bits: " + windowBits);
    }
    Zlib zlib = Zlib.LOADED.orElseThrow(() -> new IllegalStateException("zlib is not available"));
    stream = arena.allocate(Zlib.Z_STREAM); // zeroed: zalloc, zfree, opaque null = malloc/free
    in = arena.allocate(CHUNK);
    out = arena.allocate(CHUNK);
    // Negative windowBits: raw DEFLATE, no zlib header or trailer (RFC 7692 §7.2.1).
    int rc = zlib.deflateInit2(stream, level, -windowBits);
    if (rc != Z_OK) {
      arena.close();
      throw new IllegalStateException("deflateInit2 failed: " + rc);
    }
    LIVE.incrementAndGet();
  }

  /** Whether zlib was found and may be called. */
  static boolean isAvailable() {
    return Zlib.LOADED.isPresent();
  }

  /** Deflaters made and not yet closed, process-wide: a leak shows here. */
  static int live() {
    return LIVE.get();
  }

  /**
   * Compresses the message's remaining bytes (consuming them) and sync-flushes, appending to {@code
   * sink}.
   */
  void compress(ByteBuffer message, Sink sink) {
    Zlib zlib = Zlib.LOADED.orElseThrow();
    while (message.hasRemaining()) {
      int n = Math.min(message.remaining(), CHUNK);
      MemorySegment.copy(MemorySegment.ofBuffer(message.slice(message.position(), n)), 0, in, 0, n);
      message.position(message.position() + n);
      Zlib.NEXT_IN.set(stream, 0L, in);
      Zlib.AVAIL_IN.set(stream, 0L, n);
      run(zlib, Z_NO_FLUSH, sink);
    }
    Zlib.AVAIL_IN.set(stream, 0L, 0);
    run(zlib, Z_SYNC_FLUSH, sink);
  }

  /** Calls deflate until it leaves room in the output: all input taken, the flush complete. */
  private void run(Zlib zlib, int flush, Sink sink) {
    int room;
    do {
      Zlib.NEXT_OUT.set(stream, 0L, out);
      Zlib.AVAIL_OUT.set(stream, 0L, CHUNK);
      int rc = zlib.deflate(stream, flush);
      // Z_BUF_ERROR only says no progress was possible: nothing left to do.
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw new IllegalStateException("deflate failed: " + rc);
      }
      room = (int) Zlib.AVAIL_OUT.get(stream, 0L);
      sink.take(out, CHUNK - room);
    } while (room == 0);
  }

  /** Forgets the history: the next message is compressed on its own. */
  void reset() {
    Zlib.LOADED.orElseThrow().deflateReset(stream);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Zlib.LOADED.orElseThrow().deflateEnd(stream); // frees what zlib allocated
    arena.close(); // frees the z_stream and the buffers
    LIVE.decrementAndGet();
  }

  /** Where compressed bytes go. */
  static final class Sink {
    private byte[] bytes;
    private int length;

    Sink(byte[] initial) {
      this.bytes = initial;
    }

    void take(MemorySegment from, int n) {
      if (length + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
      }
      MemorySegment.copy(from, JAVA_BYTE, 0, bytes, length, n);
      length += n;
    }

    byte[] bytes() {
      return bytes;
    }

    int length() {
      return length;
    }
  }

  /** The handles to zlib's functions, found once. */
  private record Zlib(
      MethodHandle init,
      MethodHandle deflate,
      MethodHandle reset,
      MethodHandle end,
      MemorySegment version) {

    // z_stream on LP64 (Linux, macOS): uLong is 64 bits. Elsewhere zlib is not used.
    static final StructLayout Z_STREAM =
        MemoryLayout.structLayout(
            ADDRESS.withName("next_in"),
            JAVA_INT.withName("avail_in"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("total_in"),
            ADDRESS.withName("next_out"),
            JAVA_INT.withName("avail_out"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("total_out"),
            ADDRESS.withName("msg"),
            ADDRESS.withName("state"),
            ADDRESS.withName("zalloc"),
            ADDRESS.withName("zfree"),
            ADDRESS.withName("opaque"),
            JAVA_INT.withName("data_type"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("adler"),
            JAVA_LONG.withName("reserved"));

    static final VarHandle NEXT_IN = field("next_in");
    static final VarHandle AVAIL_IN = field("avail_in");
    static final VarHandle NEXT_OUT = field("next_out");
    static final VarHandle AVAIL_OUT = field("avail_out");

    static final Optional<Zlib> LOADED = load("libz.so.1", "libz.so", "libz.dylib");

    private static VarHandle field(String name) {
      return Z_STREAM.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    /** zlib from the first of these names that loads, or empty (also where access is denied). */
    @SuppressWarnings("restricted") // the reason for this class; see the launcher's flags
    static Optional<Zlib> load(String... names) {
      Linker linker = Linker.nativeLinker();
      if (linker.canonicalLayouts().get("long").byteSize() != 8) {
        return Optional.empty(); // not LP64: the layout above would be wrong
      }
      for (String name : names) {
        try {
          SymbolLookup lib = SymbolLookup.libraryLookup(name, Arena.global());
          MethodHandle version =
              linker.downcallHandle(find(lib, "zlibVersion"), FunctionDescriptor.of(ADDRESS));
          var zlib =
              new Zlib(
                  linker.downcallHandle(
                      find(lib, "deflateInit2_"),
                      FunctionDescriptor.of(
                          JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                          ADDRESS, JAVA_INT)),
                  linker.downcallHandle(
                      find(lib, "deflate"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                  linker.downcallHandle(
                      find(lib, "deflateReset"), FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                  linker.downcallHandle(
                      find(lib, "deflateEnd"), FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                  (MemorySegment) version.invokeExact());
          return Optional.of(zlib);
        } catch (IllegalArgumentException | IllegalCallerException | UnsatisfiedLinkError e) {
          // Not under this name, or native access denied (--illegal-native-access=deny).
        } catch (Throwable e) {
          return Optional.empty();
        }
      }
      return Optional.empty();
    }

    private static MemorySegment find(SymbolLookup lib, String symbol) {
      return lib.find(symbol).orElseThrow(() -> new IllegalArgumentException("no " + symbol));
    }

    int deflateInit2(MemorySegment strm, int level, int windowBits) {
      try {
        // The version zlib reports is the one it checks against (only its first digit matters).
        return (int)
            init.invokeExact(
                strm,
                level,
                Z_DEFLATED,
                windowBits,
                MEM_LEVEL,
                Z_DEFAULT_STRATEGY,
                version,
                (int) Z_STREAM.byteSize());
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }

    int deflate(MemorySegment strm, int flush) {
      try {
        return (int) deflate.invokeExact(strm, flush);
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }

    void deflateReset(MemorySegment strm) {
      try {
        int rc = (int) reset.invokeExact(strm);
        if (rc != Z_OK) {
          throw new IllegalStateException("deflateReset failed: " + rc);
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }

    void deflateEnd(MemorySegment strm) {
      try {
        int ignored = (int) end.invokeExact(strm); // Z_DATA_ERROR if freed mid-stream: still freed
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
