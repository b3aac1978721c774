package dev.wharf.websocket;

import dev.wharf.core.Connection;
import dev.wharf.websocket.codec.CloseCodes;
import dev.wharf.websocket.codec.Masking;
import dev.wharf.websocket.codec.MessageDeflater;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Writes frames to a connection: compresses whole messages when permessage-deflate was agreed,
 * masks them on a client, and copies header and payload into the transport's queue in as few writes
 * as it can (one for a small frame).
 *
 * <p>Runs on the connection's loop only. The scratch buffer belongs to the loop thread, shared by
 * its connections, since nothing keeps it past a call. Without compression a sender keeps no state
 * of a connection (the connection is an argument), so all sessions of a side share one ({@link
 * #plain}) and a session holds none of its own; with compression each has its deflater.
 */
final class FrameSender {
  private static final int SCRATCH_BYTES = 16 * 1024;
  private static final ThreadLocal<ByteBuffer> SCRATCH =
      ThreadLocal.withInitial(
          () -> ByteBuffer.allocate(WebSocketFrameWriter.MAX_HEADER_BYTES + SCRATCH_BYTES));
  // RFC 6455 §5.3: masking keys must be unpredictable; one generator per loop thread.
  private static final ThreadLocal<SecureRandom> MASK_KEYS =
      ThreadLocal.withInitial(SecureRandom::new);

  private static final FrameSender UNMASKED = new FrameSender(false, null, 0);
  private static final FrameSender MASKED = new FrameSender(true, null, 0);

  private final boolean mask;
  private final MessageDeflater deflater;
  private final int minCompressBytes;

  /**
   * A sender that compresses data messages of {@code minMessageBytes} or more with {@code deflater}
   * (permessage-deflate agreed; null for none), masking frames if {@code mask} (a client).
   */
  FrameSender(boolean mask, MessageDeflater deflater, int minMessageBytes) {
    this.mask = mask;
    this.deflater = deflater;
    this.minCompressBytes = minMessageBytes;
  }

  /** The shared sender without compression: masking ({@code mask}, a client's) or not. */
  static FrameSender plain(boolean mask) {
    return mask ? MASKED : UNMASKED;
  }

  /**
   * Sends a whole message in one frame, compressed when that was agreed and it is long enough.
   * Consumes {@code payload}. Returns the bytes queued.
   */
  long sendMessage(Connection connection, int opcode, ByteBuffer payload) {
    if (deflater != null && payload.remaining() >= minCompressBytes) {
      ByteBuffer compressed = deflater.compress(payload);
      return sendFrame(connection, opcode, true, true, compressed);
    }
    return sendFrame(connection, opcode, true, false, payload);
  }

  /** Sends one frame with the payload's remaining bytes (consumed). Returns the bytes queued. */
  long sendFrame(Connection connection, int opcode, boolean fin, boolean rsv1, ByteBuffer payload) {
    int length = payload.remaining();
    int key = mask ? MASK_KEYS.get().nextInt() : 0;
    ByteBuffer scratch = SCRATCH.get().clear();
    WebSocketFrameWriter.writeHeader(scratch, opcode, fin, rsv1, length, mask, key);
    int headerBytes = scratch.position();
    if (!mask) {
      // Header, then the payload straight into the transport's queue: one copy, and the two
      // land side by side in the same segment.
      connection.write(scratch.flip());
      connection.write(payload);
      return headerBytes + (long) length;
    }
    long offset = 0;
    while (true) {
      int n = Math.min(payload.remaining(), scratch.remaining());
      int start = scratch.position();
      scratch.put(scratch.position(), payload, payload.position(), n);
      payload.position(payload.position() + n);
      scratch.position(start + n);
      if (mask) {
        Masking.mask(scratch, start, start + n, key, offset);
      }
      offset += n;
      connection.write(scratch.flip());
      if (!payload.hasRemaining()) {
        return headerBytes + (long) length;
      }
      scratch.clear();
    }
  }

  /** Sends a Close frame: the code (unless 1005, meaning none) and a reason cut to fit. */
  void sendClose(Connection connection, int code, String reason) {
    ByteBuffer payload;
    if (code == CloseCodes.NO_STATUS) {
      payload = ByteBuffer.allocate(0);
    } else {
      byte[] text = closeReasonBytes(reason);
      payload = ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).flip();
    }
    sendFrame(connection, Opcodes.CLOSE, true, false, payload);
  }

  void release() {
    if (deflater != null) {
      deflater.close();
    }
  }

  /** RFC 6455 §5.5: a control frame's payload is at most 125 bytes, so the reason at most 123. */
  static byte[] closeReasonBytes(String reason) {
    byte[] bytes = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length <= 123) {
      return bytes;
    }
    int end = 123;
    // Do not cut a character in two: back up to the start of one.
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    return java.util.Arrays.copyOf(bytes, end);
  }
}
