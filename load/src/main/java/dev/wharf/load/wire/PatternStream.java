package dev.wharf.load.wire;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One connection's place in the byte pattern an echo load sends and checks: the stream in each
 * direction is byte(offset) = offset % 251, whatever the write and read boundaries. Bytes to send
 * are taken from one shared {@link #source} (no copy); of the bytes that come back, the first and
 * last of every piece are compared.
 *
 * <p>Not thread-safe: the generator's thread owns it and the source.
 */
public final class PatternStream {
  /** A prime, so that the pattern does not line up with any power-of-two boundary. */
  public static final int PERIOD = 251;

  private final ByteBuffer source;
  private long toSend;
  private long sent;
  private long received;

  /** Reads from {@code source}, made by {@link #source(int)}. */
  public PatternStream(ByteBuffer source) {
    this.source = source;
  }

  /**
   * A direct buffer of {@code chunk + PERIOD} pattern bytes: any offset's next {@code chunk} bytes
   * start within its first period.
   */
  public static ByteBuffer source(int chunk) {
    int length = chunk + PERIOD;
    ByteBuffer source = ByteBuffer.allocateDirect(length);
    for (int i = 0; i < length; i++) {
      source.put(i, (byte) (i % PERIOD));
    }
    return source;
  }

  /** Asks for {@code bytes} more bytes of the pattern to be sent. */
  public void add(long bytes) {
    toSend += bytes;
  }

  public boolean hasToSend() {
    return toSend > 0;
  }

  /**
   * The shared source set to the next bytes to send, at most {@code max} (and at most its chunk);
   * call {@link #sent} with how many were taken before the next call.
   */
  public ByteBuffer next(int max) {
    int from = (int) (sent % PERIOD);
    int n = (int) Math.min(Math.min(toSend, max), source.capacity() - PERIOD);
    return source.limit(from + n).position(from);
  }

  public void sent(long n) {
    sent += n;
    toSend -= n;
  }

  /**
   * Checks the bytes between {@code data}'s position and limit against the pattern at the received
   * offset and counts them; returns the bytes received in all.
   */
  public long received(ByteBuffer data) throws IOException {
    int n = data.remaining();
    if (n > 0
        && (data.get(data.position()) != (byte) (received % PERIOD)
            || data.get(data.limit() - 1) != (byte) ((received + n - 1) % PERIOD))) {
      throw new IOException("echoed bytes differ at offset " + received);
    }
    received += n;
    return received;
  }
}
