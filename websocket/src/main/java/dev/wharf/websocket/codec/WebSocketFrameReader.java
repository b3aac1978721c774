package dev.wharf.websocket.codec;

import java.nio.ByteBuffer;

/**
 * Turns bytes into WebSocket frames (RFC 6455 §5), incrementally over any split of the input, and
 * enforces the framing rules: reserved bits and opcodes, masking by role, minimal length encodings,
 * control frames short and final, continuation frames only inside a fragmented message, and the
 * frame size limit. A broken rule throws {@link WebSocketException} with its close code; the reader
 * is then failed and must not be fed again.
 *
 * <p>Payload is unmasked in place in the input and handed to the sink as it arrives, without
 * copying: for the call, the input buffer's position and limit frame the payload bytes.
 *
 * <pre>
 *   HEADER (2..14 bytes) --> PAYLOAD (length bytes, maybe 0) --> HEADER ...
 * </pre>
 *
 * <p>Not thread-safe; does no I/O.
 */
public final class WebSocketFrameReader {

  /** Receives frames as they are read. */
  public interface Sink {
    /** A frame header passed the framing rules. {@code rsv1} marks a compressed message. */
    void frameStart(int opcode, boolean fin, boolean rsv1, long length);

    /**
     * Part of the current frame's payload, unmasked: the bytes between the buffer's position and
     * limit, valid only for the call. The sink need not consume them.
     */
    void framePayload(ByteBuffer payload);

    /** The current frame is complete. */
    void frameEnd();
  }

  private static final int FIRST_BYTE = 0;
  private static final int SECOND_BYTE = 1;
  private static final int EXTENDED_LENGTH = 2;
  private static final int MASKING_KEY = 3;
  private static final int PAYLOAD = 4;
  private static final int STOPPED = 5;
  private static final int FAILED = 6;

  private final boolean expectMasked;
  private final long maxFrameBytes;
  private boolean rsv1Allowed;
  private int state = FIRST_BYTE;
  private boolean inMessage;

  // The frame being read.
  private int opcode;
  private boolean fin;
  private boolean rsv1;
  private boolean masked;
  private int lengthBytesLeft;
  private int lengthBytes;
  private long length;
  private int keyBytesLeft;
  private int key;
  private long payloadRead;

  /**
   * @param expectMasked true on a server, which must receive masked frames; false on a client,
   *     which must receive unmasked ones (RFC 6455 §5.1)
   * @param maxFrameBytes the largest frame payload accepted (close 1009 beyond it)
   */
  public WebSocketFrameReader(boolean expectMasked, long maxFrameBytes) {
    this.expectMasked = expectMasked;
    this.maxFrameBytes = maxFrameBytes;
  }

  public boolean expectsMasked() {
    return expectMasked;
  }

  public long maxFrameBytes() {
    return maxFrameBytes;
  }

  /** True between frames, outside any fragmented message: it may read another connection's next. */
  public boolean isAtRest() {
    return state == FIRST_BYTE && !inMessage && !rsv1Allowed;
  }

  /** Lets the first frame of a data message carry RSV1 (permessage-deflate, RFC 7692 §6). */
  public void allowCompression(boolean allowed) {
    this.rsv1Allowed = allowed;
  }

  /** Whether a fragmented data message has begun and not yet ended. */
  public boolean inMessage() {
    return inMessage;
  }

  /** True between frames. */
  public boolean isIdle() {
    return state == FIRST_BYTE;
  }

  /**
   * Stops reading where it is, leaving the rest of the input unread: after a Close frame, nothing
   * that follows counts (RFC 6455 §5.5.1). May be called from the sink.
   */
  public void stop() {
    state = STOPPED;
  }

  public boolean isStopped() {
    return state == STOPPED;
  }

  /** Consumes the input (all of it unless {@link #stop stopped}), reporting to {@code sink}. */
  public void decode(ByteBuffer input, Sink sink) {
    if (state == FAILED) {
      throw new IllegalStateException("the reader has failed; the connection is closing");
    }
    try {
      while (input.hasRemaining() && state != STOPPED) {
        if (state == PAYLOAD) {
          readPayload(input, sink);
        } else {
          readHeaderByte(input.get(), sink);
        }
      }
    } catch (WebSocketException e) {
      state = FAILED;
      throw e;
    }
  }

  private void readHeaderByte(byte b, Sink sink) {
    switch (state) {
      case FIRST_BYTE -> {
        fin = (b & 0x80) != 0;
        rsv1 = (b & 0x40) != 0;
        opcode = b & 0x0F;
        // RFC 6455 §5.2: RSV2 and RSV3 must be 0 unless an extension defines them (none here).
        if ((b & 0x30) != 0) {
          throw WebSocketException.protocolError("reserved bits RSV2/RSV3 set");
        }
        checkOpcode();
        state = SECOND_BYTE;
      }
      case SECOND_BYTE -> {
        masked = (b & 0x80) != 0;
        // RFC 6455 §5.1: clients mask every frame, servers none.
        if (masked != expectMasked) {
          throw WebSocketException.protocolError(
              expectMasked ? "client frame not masked" : "server frame masked");
        }
        int len7 = b & 0x7F;
        if (len7 < 126) {
          length = len7;
          afterLength(sink);
        } else {
          lengthBytes = len7 == 126 ? 2 : 8;
          lengthBytesLeft = lengthBytes;
          length = 0;
          state = EXTENDED_LENGTH;
        }
      }
      case EXTENDED_LENGTH -> {
        length = (length << 8) | (b & 0xFF);
        if (--lengthBytesLeft == 0) {
          checkExtendedLength();
          afterLength(sink);
        }
      }
      case MASKING_KEY -> {
        key = (key << 8) | (b & 0xFF);
        if (--keyBytesLeft == 0) {
          startPayload(sink);
        }
      }
      default -> throw new IllegalStateException("not reading a header: " + state);
    }
  }

  private void checkOpcode() {
    // RFC 6455 §5.2: reserved opcodes fail the connection.
    if (!Opcodes.isKnown(opcode)) {
      throw WebSocketException.protocolError("reserved opcode " + opcode);
    }
    if (Opcodes.isControl(opcode)) {
      // RFC 6455 §5.5: control frames must not be fragmented.
      if (!fin) {
        throw WebSocketException.protocolError("fragmented " + Opcodes.name(opcode) + " frame");
      }
      // RFC 7692 §6: RSV1 marks a compressed data message; a control frame never has it.
      if (rsv1) {
        throw WebSocketException.protocolError("RSV1 set on a " + Opcodes.name(opcode) + " frame");
      }
      return;
    }
    if (opcode == Opcodes.CONTINUATION) {
      // RFC 6455 §5.4: a continuation frame continues a message that was begun.
      if (!inMessage) {
        throw WebSocketException.protocolError("continuation frame with no message to continue");
      }
      // RFC 7692 §6.1: only the first frame of a message carries RSV1.
      if (rsv1) {
        throw WebSocketException.protocolError("RSV1 set on a continuation frame");
      }
    } else {
      // RFC 6455 §5.4: the fragments of one message are not interleaved with another's.
      if (inMessage) {
        throw WebSocketException.protocolError(
            "new " + Opcodes.name(opcode) + " message before the fragmented one ended");
      }
      if (rsv1 && !rsv1Allowed) {
        throw WebSocketException.protocolError("RSV1 set but no extension was negotiated");
      }
    }
    inMessage = !fin;
  }

  private void checkExtendedLength() {
    // RFC 6455 §5.2: the minimal number of bytes must be used to encode the length.
    if (lengthBytes == 2 && length < 126) {
      throw WebSocketException.protocolError("16-bit length " + length + " is not minimal");
    }
    if (lengthBytes == 8) {
      // RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0.
      if (length < 0) {
        throw WebSocketException.protocolError("64-bit length has its most significant bit set");
      }
      if (length <= 0xFFFF) {
        throw WebSocketException.protocolError("64-bit length " + length + " is not minimal");
      }
    }
  }

  private void afterLength(Sink sink) {
    // RFC 6455 §5.5: control frames carry at most 125 bytes.
    if (Opcodes.isControl(opcode) && length > 125) {
      throw WebSocketException.protocolError(
          Opcodes.name(opcode) + " frame of " + length + " bytes (at most 125)");
    }
    if (length > maxFrameBytes) {
      throw WebSocketException.tooBig(
          "frame of " + length + " bytes exceeds the limit of " + maxFrameBytes);
    }
    if (masked) {
      keyBytesLeft = 4;
      key = 0;
      state = MASKING_KEY;
    } else {
      startPayload(sink);
    }
  }

  private void startPayload(Sink sink) {
    payloadRead = 0;
    state = PAYLOAD;
    sink.frameStart(opcode, fin, rsv1, length);
    if (length == 0) {
      endFrame(sink);
    }
  }

  private void readPayload(ByteBuffer input, Sink sink) {
    int start = input.position();
    int n = (int) Math.min(input.remaining(), length - payloadRead);
    int end = start + n;
    int limit = input.limit();
    if (masked) {
      if (input.isReadOnly()) {
        // Cannot unmask in place: work on a copy (tests and callers that lend read-only views).
        ByteBuffer copy = ByteBuffer.allocate(n).put(input.slice(start, n)).flip();
        input.position(end);
        Masking.mask(copy, 0, n, key, payloadRead);
        payloadRead += n;
        sink.framePayload(copy);
        finishChunk(sink);
        return;
      }
      Masking.mask(input, start, end, key, payloadRead);
    }
    payloadRead += n;
    input.limit(end);
    try {
      sink.framePayload(input);
    } finally {
      input.limit(limit).position(end);
    }
    finishChunk(sink);
  }

  private void finishChunk(Sink sink) {
    if (payloadRead == length && state == PAYLOAD) {
      endFrame(sink);
    }
  }

  private void endFrame(Sink sink) {
    state = FIRST_BYTE;
    sink.frameEnd();
  }
}
