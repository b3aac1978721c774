package dev.wharf.cli.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Where received bytes go: a buffered stream over stdout, flushed after each received chunk so that
 * an interactive peer sees its lines at once.
 *
 * <p>Called on the event loop. A slow stdout (a full pipe) blocks the loop until it drains; that is
 * acceptable for a tool with one connection on one loop, and it holds back reading, which is the
 * backpressure we want. A loop serving many connections would hand the bytes to a writer thread
 * instead.
 */
public final class StdoutSink {
  private final OutputStream out;
  private final byte[] scratch = new byte[64 * 1024];

  public StdoutSink(OutputStream out) {
    this.out = new BufferedOutputStream(out, 64 * 1024);
  }

  /** Writes the buffer's remaining bytes and flushes; consumes them. */
  public void write(ByteBuffer data) throws IOException {
    if (data.hasArray()) {
      out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
      data.position(data.limit());
    } else {
      while (data.hasRemaining()) {
        int n = Math.min(scratch.length, data.remaining());
        data.get(scratch, 0, n);
        out.write(scratch, 0, n);
      }
    }
    out.flush();
  }
}
