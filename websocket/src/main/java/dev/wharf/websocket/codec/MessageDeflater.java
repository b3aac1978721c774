package dev.wharf.websocket.codec;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Compresses whole messages for permessage-deflate (RFC 7692 §7.2.1): raw DEFLATE, each message
 * ended with a sync flush whose trailing {@code 00 00 ff ff} is left off.
 *
 * <p>With context takeover the {@link Deflater} (about 256 KiB of native memory) lives as long as
 * the connection and is made on first use, so a connection that never sends holds none. Without it,
 * each message borrows the calling thread's deflater and gives it back, so all connections on one
 * event loop share one. {@link #close} frees what is held. Not thread-safe; use on one thread (the
 * connection's loop).
 */
public final class MessageDeflater implements AutoCloseable {
  private static final ThreadLocal<Deflater[]> SHARED =
      ThreadLocal.withInitial(() -> new Deflater[10]);
  private static final int KEPT_OUTPUT_BYTES = 256 * 1024;
  // The output goes to the transport before the next message is compressed on this thread, so
  // one buffer per thread serves all its connections.
  private static final ThreadLocal<byte[]> OUTPUT = ThreadLocal.withInitial(() -> new byte[4096]);

  private final int level;
  private final boolean noContextTakeover;
  private Deflater own;

  /**
   * @param level 0..9 ({@link Deflater#BEST_SPEED} 1 ... {@link Deflater#BEST_COMPRESSION} 9)
   * @param noContextTakeover compress every message on its own (no shared history)
   */
  public MessageDeflater(int level, boolean noContextTakeover) {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("deflate level must be 0..9: " + level);
    }
    this.level = level;
    this.noContextTakeover = noContextTakeover;
  }

  /**
   * Compresses the message's remaining bytes (consuming them) and returns the payload to send, in a
   * buffer valid until the next call.
   */
  public ByteBuffer compress(ByteBuffer message) {
    Deflater deflater = deflater();
    byte[] out = OUTPUT.get();
    try {
      deflater.setInput(message);
      int n = 0;
      while (true) {
        int written = deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
        n += written;
        if (n < out.length) {
          break; // Room left after a sync flush: all input is compressed and flushed.
        }
        out = java.util.Arrays.copyOf(out, out.length * 2);
      }
      if (out.length <= KEPT_OUTPUT_BYTES) {
        OUTPUT.set(out);
      }
      // RFC 7692 §7.2.1: remove the 4 octets 00 00 ff ff at the tail end.
      if (n >= 4 && out[n - 4] == 0 && out[n - 3] == 0 && out[n - 2] == -1 && out[n - 1] == -1) {
        n -= 4;
      }
      return ByteBuffer.wrap(out, 0, n);
    } finally {
      if (noContextTakeover) {
        deflater.reset();
      }
    }
  }

  private Deflater deflater() {
    if (noContextTakeover) {
      Deflater[] shared = SHARED.get();
      if (shared[level] == null) {
        shared[level] = new Deflater(level, true);
      }
      return shared[level];
    }
    if (own == null) {
      own = new Deflater(level, true);
    }
    return own;
  }

  @Override
  public void close() {
    if (own != null) {
      own.end();
      own = null;
    }
  }
}
