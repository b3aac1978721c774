package dev.wharf.websocket.codec;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses permessage-deflate messages (RFC 7692 §7.2.2) as their frames arrive: each frame's
 * payload is inflated at once, and the message's end appends {@code 00 00 ff ff}. The output of one
 * message is limited, so a small compressed message cannot expand without bound (close 1009).
 *
 * <p>With the peer's context takeover the {@link Inflater} lives as long as the connection, made on
 * first use. Without it, a message borrows one from the calling thread's pool and gives it back at
 * its end, so connections between messages hold none. Not thread-safe; use on one thread.
 */
public final class MessageInflater implements AutoCloseable {

  /** Receives inflated bytes. */
  public interface Output {
    /** Inflated bytes between position and limit, valid only for the call. */
    void inflated(ByteBuffer chunk);
  }

  private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};
  private static final int CHUNK = 16 * 1024;
  private static final int MAX_POOLED = 64;
  private static final ThreadLocal<ArrayDeque<Inflater>> POOL =
      ThreadLocal.withInitial(ArrayDeque::new);
  // Inflated bytes go to the output a chunk at a time, in one buffer per thread (over an array,
  // which Inflater writes to directly), reused for every chunk of every connection on the loop.
  private static final ThreadLocal<ByteBuffer> SCRATCH =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(CHUNK));

  private final boolean peerNoContextTakeover;
  private final long maxMessageBytes;
  private Inflater inflater;
  private long messageBytes;

  /**
   * @param peerNoContextTakeover the peer compresses every message afresh
   * @param maxMessageBytes the most one message may inflate to
   */
  public MessageInflater(boolean peerNoContextTakeover, long maxMessageBytes) {
    this.peerNoContextTakeover = peerNoContextTakeover;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Inflates the payload's remaining bytes (consuming them). */
  public void inflate(ByteBuffer payload, Output output) {
    if (inflater == null) {
      inflater = peerNoContextTakeover ? borrow() : new Inflater(true);
    }
    inflater.setInput(payload);
    drain(output);
  }

  /** The message ended: inflates what the sync flush held back and readies for the next. */
  public void finish(Output output) {
    if (inflater == null) {
      inflater = peerNoContextTakeover ? borrow() : new Inflater(true);
    }
    inflater.setInput(TAIL);
    drain(output);
    messageBytes = 0;
    if (inflater.finished()) {
      // The peer ended the DEFLATE stream (BFINAL): the next message starts a new one.
      inflater.reset();
    }
    if (peerNoContextTakeover) {
      inflater.reset();
      giveBack(inflater);
      inflater = null;
    }
  }

  private void drain(Output output) {
    ByteBuffer scratch = SCRATCH.get();
    try {
      while (true) {
        int n = inflater.inflate(scratch.array());
        if (n > 0) {
          messageBytes += n;
          if (messageBytes > maxMessageBytes) {
            throw WebSocketException.tooBig(
                "message inflates past the limit of " + maxMessageBytes + " bytes");
          }
          output.inflated(scratch.clear().limit(n));
        }
        if (inflater.finished()
            || (n == 0 && (inflater.needsInput() || inflater.needsDictionary()))) {
          if (inflater.finished() && inflater.getRemaining() > 0) {
            throw WebSocketException.invalidPayload("data after the end of the DEFLATE stream");
          }
          return;
        }
      }
    } catch (DataFormatException e) {
      throw WebSocketException.invalidPayload("message does not inflate: " + e.getMessage());
    }
  }

  private static Inflater borrow() {
    Inflater pooled = POOL.get().poll();
    return pooled != null ? pooled : new Inflater(true);
  }

  private static void giveBack(Inflater inflater) {
    ArrayDeque<Inflater> pool = POOL.get();
    if (pool.size() < MAX_POOLED) {
      pool.push(inflater);
    } else {
      inflater.end();
    }
  }

  @Override
  public void close() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }
}
