package dev.wharf.websocket;

import dev.wharf.websocket.codec.Opcodes;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A text or binary message encoded once, to be sent to many connections with {@link
 * WebSocket#send(PreparedMessage)}: a broadcast to 10,000 subscribers encodes its text as UTF-8
 * once instead of 10,000 times. Immutable and safe to share between threads; each send reads the
 * same bytes (and compresses them for a connection that agreed to permessage-deflate).
 */
public final class PreparedMessage {
  private final int opcode;
  private final ByteBuffer payload;

  private PreparedMessage(int opcode, ByteBuffer payload) {
    this.opcode = opcode;
    this.payload = payload;
  }

  /** A text message: {@code text} encoded as UTF-8 now. */
  public static PreparedMessage text(CharSequence text) {
    return new PreparedMessage(Opcodes.TEXT, utf8(text));
  }

  /** {@code text} as UTF-8 bytes (every text send encodes here). */
  static ByteBuffer utf8(CharSequence text) {
    return text instanceof String s
        ? ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8))
        : StandardCharsets.UTF_8.encode(CharBuffer.wrap(text));
  }

  /** A binary message with a copy of the remaining bytes of {@code data} (not consumed). */
  public static PreparedMessage binary(ByteBuffer data) {
    ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
    return new PreparedMessage(Opcodes.BINARY, copy);
  }

  /** The payload's length in bytes (before any compression). */
  public int length() {
    return payload.remaining();
  }

  int opcode() {
    return opcode;
  }

  /** A view of the payload for one send; the bytes are never written to. */
  ByteBuffer payload() {
    return payload.duplicate();
  }
}
