package dev.wharf.load.wire;

import java.nio.ByteBuffer;

/**
 * One connection's queue of the same message sent again and again (an HTTP request, a masked
 * WebSocket frame): the bytes come from a shared buffer holding the message several times in a row,
 * so that any number of queued messages up to that count, starting anywhere in one, are a single
 * slice. Nothing is copied or allocated per message.
 *
 * <p>Not thread-safe: one connection's thread owns it (the source may be shared between the
 * connections of one thread, each reading through its own view).
 */
public final class RepeatedMessage {
  private final ByteBuffer view;
  private final int length;
  private long toSend;
  private long sent;

  /** Reads from {@code source}, made by {@link #source}, through a view of its own. */
  public RepeatedMessage(ByteBuffer source, int length) {
    this.view = source.duplicate();
    this.length = length;
  }

  /**
   * A direct buffer of {@code message} written {@code copies + 1} times: any offset within the
   * first copy is followed by at least {@code copies} whole messages.
   */
  public static ByteBuffer source(byte[] message, int copies) {
    ByteBuffer source = ByteBuffer.allocateDirect(message.length * (copies + 1));
    for (int i = 0; i <= copies; i++) {
      source.put(message);
    }
    return source.clear().asReadOnlyBuffer();
  }

  /** The message's length in bytes. */
  public int length() {
    return length;
  }

  /** Queues one more message. */
  public void add() {
    toSend += length;
  }

  public boolean hasToSend() {
    return toSend > 0;
  }

  /** Drops what is queued, for a new connection. */
  public void reset() {
    toSend = 0;
    sent = 0;
  }

  /**
   * The view set to the next bytes to send, at most {@code max}; call {@link #sent} with how many
   * were taken before the next call.
   */
  public ByteBuffer next(int max) {
    int from = (int) (sent % length);
    int n = (int) Math.min(Math.min(toSend, max), view.capacity() - length);
    return view.limit(from + n).position(from);
  }

  public void sent(long n) {
    sent += n;
    toSend -= n;
  }
}
