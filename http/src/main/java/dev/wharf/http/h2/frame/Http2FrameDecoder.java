package dev.wharf.http.h2.frame;

import static dev.wharf.http.h2.frame.FrameType.FLAG_ACK;
import static dev.wharf.http.h2.frame.FrameType.FLAG_END_HEADERS;
import static dev.wharf.http.h2.frame.FrameType.FLAG_END_STREAM;
import static dev.wharf.http.h2.frame.FrameType.FLAG_PADDED;
import static dev.wharf.http.h2.frame.FrameType.FLAG_PRIORITY;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns bytes into HTTP/2 frames (RFC 9113 §4, §6), incrementally over any split of the input, and
 * enforces the framing rules: frame sizes (§4.2), which frames may use stream 0 (§6), the fixed
 * lengths, padding, SETTINGS values (§6.5.2), zero window increments (§6.9), CONTINUATION only
 * right after an unfinished field block of the same stream (§6.10), and the first frame being
 * SETTINGS (§3.4). Unknown frame types are skipped unread (§4.1, §5.5). A field block split over
 * CONTINUATION frames is gathered up to {@link Limits#maxFieldBlockBytes} and {@link
 * Limits#maxContinuationFrames} (the CONTINUATION flood, CVE-2024-27316), never further.
 *
 * <p>One decoder reads what one peer sends on one connection, on that connection's event loop. The
 * connection preface, which a client sends before its first frame, is read by {@link
 * ConnectionPreface} first.
 *
 * <pre>
 *   HEADER (9 bytes) --> PAYLOAD (length bytes; whole in the input: lent as is,
 *        ^                 |       split: gathered in a scratch array) --> listener
 *        |                 +--> SKIP (unknown type, bad PRIORITY)
 *        +-----------------+
 * </pre>
 *
 * <p>A connection error is thrown as {@link Http2Exception} and fails the decoder, which must not
 * be fed again. A stream error goes to {@link Http2FrameListener#onStreamError} and decoding goes
 * on. A listener may throw an {@code Http2Exception} too: a connection error fails the decoder as
 * above; after a stream error the input's position is just past the frame, and the rest of the
 * input may be fed again. Does no I/O.
 */
public final class Http2FrameDecoder {

  /**
   * What the decoder accepts: {@code maxFrameSize} is our SETTINGS_MAX_FRAME_SIZE, {@code
   * maxFieldBlockBytes} bounds a field block (HEADERS or PUSH_PROMISE with its CONTINUATION frames,
   * HPACK-encoded), {@code maxContinuationFrames} the CONTINUATION frames of one block (so that
   * empty ones cannot flood), {@code maxDebugDataBytes} the GOAWAY debug data reported.
   */
  public record Limits(
      int maxFrameSize, int maxFieldBlockBytes, int maxContinuationFrames, int maxDebugDataBytes) {
    public Limits {
      checkMaxFrameSize(maxFrameSize);
      if (maxFieldBlockBytes < 1 || maxContinuationFrames < 0 || maxDebugDataBytes < 0) {
        throw new IllegalArgumentException("limits must be positive");
      }
    }

    /** 16 KiB frames, 64 KiB field blocks over at most 16 CONTINUATION frames, 1 KiB debug data. */
    public static Limits defaults() {
      return new Limits(FrameType.MIN_MAX_FRAME_SIZE, 64 * 1024, 16, 1024);
    }

    public Limits withMaxFrameSize(int size) {
      return new Limits(size, maxFieldBlockBytes, maxContinuationFrames, maxDebugDataBytes);
    }
  }

  private static final int HEADER = 0;
  private static final int PAYLOAD = 1;
  private static final int SKIP = 2;
  private static final int FAILED = 3;
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final boolean pushEnabled;
  private Limits limits;
  private int state = HEADER;
  private boolean settingsSeen;

  // The frame being read.
  private final byte[] header = new byte[FrameType.HEADER_BYTES];
  private int headerFill;
  private int length;
  private int type;
  private int flags;
  private int streamId;
  private byte[] scratch; // a payload split across inputs; dropped once read
  private int scratchFill;
  private int skipLeft;

  // The field block being gathered across CONTINUATION frames; blockStreamId 0 when none.
  private byte[] block;
  private int blockLength;
  private int blockStreamId;
  private int blockType;
  private boolean blockEndStream;
  private int blockPromisedStreamId;
  private boolean blockDependsOnItself;
  private int continuations;

  /**
   * @param limits what to accept
   * @param pushEnabled whether PUSH_PROMISE may arrive: only on a client that enabled push. A
   *     server never may (§8.4), and a client that sent SETTINGS_ENABLE_PUSH 0, as ours do, must
   *     not get one (§6.6): either is a connection error PROTOCOL_ERROR when false.
   */
  public Http2FrameDecoder(Limits limits, boolean pushEnabled) {
    this.limits = limits;
    this.pushEnabled = pushEnabled;
  }

  /** Our SETTINGS_MAX_FRAME_SIZE changed (call once the peer acknowledged the new value). */
  public void maxFrameSize(int size) {
    limits = limits.withMaxFrameSize(size);
  }

  public Limits limits() {
    return limits;
  }

  /** True between frames (and not inside a field block that awaits CONTINUATION frames). */
  public boolean isIdle() {
    return state == HEADER && headerFill == 0 && blockStreamId == 0;
  }

  /** Consumes all of {@code input}, reporting each complete frame to {@code listener}. */
  public void decode(ByteBuffer input, Http2FrameListener listener) {
    if (state == FAILED) {
      throw new IllegalStateException("the decoder has failed; the connection is closing");
    }
    try {
      while (input.hasRemaining()) {
        switch (state) {
          case HEADER -> readHeader(input, listener);
          case PAYLOAD -> readPayload(input, listener);
          case SKIP -> {
            int n = Math.min(skipLeft, input.remaining());
            input.position(input.position() + n);
            skipLeft -= n;
            if (skipLeft == 0) {
              state = HEADER;
            }
          }
          default -> throw new IllegalStateException("state " + state);
        }
      }
    } catch (Http2Exception e) {
      if (e.isConnectionError()) {
        state = FAILED;
        scratch = null;
        block = null;
      }
      throw e;
    }
  }

  private void readHeader(ByteBuffer input, Http2FrameListener listener) {
    int n = Math.min(FrameType.HEADER_BYTES - headerFill, input.remaining());
    input.get(header, headerFill, n);
    headerFill += n;
    if (headerFill < FrameType.HEADER_BYTES) {
      return;
    }
    headerFill = 0;
    length = (header[0] & 0xFF) << 16 | (header[1] & 0xFF) << 8 | header[2] & 0xFF;
    type = header[3] & 0xFF;
    flags = header[4] & 0xFF;
    // RFC 9113 §4.1: the reserved bit is ignored on receipt.
    streamId =
        ((header[5] & 0x7F) << 24 | (header[6] & 0xFF) << 16 | (header[7] & 0xFF) << 8)
            | header[8] & 0xFF;
    checkHeader(listener);
    if (state == SKIP) {
      if (skipLeft == 0) {
        state = HEADER;
      }
    } else if (length == 0) {
      readFrame(EMPTY, listener);
    } else {
      state = PAYLOAD;
    }
  }

  private void readPayload(ByteBuffer input, Http2FrameListener listener) {
    if (scratchFill == 0 && input.remaining() >= length) {
      // The whole payload is here: lend the input itself, without a copy.
      ByteBuffer payload = input.slice(input.position(), length);
      input.position(input.position() + length);
      state = HEADER;
      readFrame(payload, listener);
      return;
    }
    if (scratch == null) {
      scratch = new byte[length];
    }
    int n = Math.min(length - scratchFill, input.remaining());
    input.get(scratch, scratchFill, n);
    scratchFill += n;
    if (scratchFill == length) {
      ByteBuffer payload = ByteBuffer.wrap(scratch);
      scratch = null;
      scratchFill = 0;
      state = HEADER;
      readFrame(payload, listener);
    }
  }

  /** The checks a frame's header alone allows, made before any of its payload is held. */
  private void checkHeader(Http2FrameListener listener) {
    // RFC 9113 §4.2: a frame larger than our SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR.
    if (length > limits.maxFrameSize()) {
      throw connectionError(
          ErrorCode.FRAME_SIZE_ERROR,
          FrameType.name(type) + " frame of " + length + " bytes exceeds " + limits.maxFrameSize());
    }
    // RFC 9113 §6.10: an unfinished field block is followed only by CONTINUATION on its stream.
    if (blockStreamId != 0 && (type != FrameType.CONTINUATION || streamId != blockStreamId)) {
      throw connectionError(
          ErrorCode.PROTOCOL_ERROR,
          FrameType.name(type)
              + " on stream "
              + streamId
              + " while the field block of stream "
              + blockStreamId
              + " awaits CONTINUATION");
    }
    // RFC 9113 §3.4: the peer's preface ends with a SETTINGS frame, the first frame it sends.
    if (!settingsSeen) {
      if (type != FrameType.SETTINGS || (flags & FLAG_ACK) != 0) {
        throw connectionError(
            ErrorCode.PROTOCOL_ERROR, "first frame is " + FrameType.name(type) + ", not SETTINGS");
      }
      settingsSeen = true;
    }
    boolean padded = (flags & FLAG_PADDED) != 0;
    switch (type) {
      case FrameType.DATA -> {
        requireStream("DATA"); // §6.1
        requireAtLeast(padded ? 1 : 0);
      }
      case FrameType.HEADERS -> {
        requireStream("HEADERS"); // §6.2
        requireAtLeast((padded ? 1 : 0) + ((flags & FLAG_PRIORITY) != 0 ? 5 : 0));
      }
      case FrameType.PRIORITY -> {
        requireStream("PRIORITY"); // §6.3
        // RFC 9113 §6.3: a PRIORITY frame of another length than 5 is a stream error.
        if (length != 5) {
          skip();
          listener.onStreamError(
              Http2Exception.streamError(
                  streamId, ErrorCode.FRAME_SIZE_ERROR, "PRIORITY of " + length + " bytes, not 5"));
        }
      }
      case FrameType.RST_STREAM -> {
        requireStream("RST_STREAM"); // §6.4
        requireExactly(4);
      }
      case FrameType.SETTINGS -> {
        requireConnection("SETTINGS"); // §6.5
        // RFC 9113 §6.5: an ACK carries nothing, parameters take 6 bytes each.
        if ((flags & FLAG_ACK) != 0) {
          requireExactly(0);
        } else if (length % Http2Settings.PARAMETER_BYTES != 0) {
          throw connectionError(
              ErrorCode.FRAME_SIZE_ERROR, "SETTINGS of " + length + " bytes, not a multiple of 6");
        }
      }
      case FrameType.PUSH_PROMISE -> {
        // RFC 9113 §8.4: clients cannot push; §6.6: nor may a server once push is disabled.
        if (!pushEnabled) {
          throw connectionError(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE, but push is disabled");
        }
        requireStream("PUSH_PROMISE"); // §6.6
        requireAtLeast((padded ? 1 : 0) + 4);
      }
      case FrameType.PING -> {
        requireConnection("PING"); // §6.7
        requireExactly(8);
      }
      case FrameType.GOAWAY -> {
        requireConnection("GOAWAY"); // §6.8
        requireAtLeast(8);
      }
      case FrameType.WINDOW_UPDATE -> requireExactly(4); // §6.9
      case FrameType.CONTINUATION -> checkContinuation();
      default -> skip(); // RFC 9113 §4.1, §5.5: unknown frame types are ignored.
    }
  }

  private void checkContinuation() {
    requireStream("CONTINUATION"); // §6.10
    // RFC 9113 §6.10: CONTINUATION follows only a field block that has not ended.
    if (blockStreamId == 0) {
      throw connectionError(
          ErrorCode.PROTOCOL_ERROR, "CONTINUATION on stream " + streamId + " with no field block");
    }
    // CVE-2024-27316: bound the frames and bytes of one field block before holding any of them.
    if (++continuations > limits.maxContinuationFrames()) {
      throw connectionError(
          ErrorCode.ENHANCE_YOUR_CALM,
          "field block continues past " + limits.maxContinuationFrames() + " CONTINUATION frames");
    }
    checkFieldBlockSize((long) blockLength + length);
  }

  private void checkFieldBlockSize(long size) {
    if (size > limits.maxFieldBlockBytes()) {
      throw connectionError(
          ErrorCode.ENHANCE_YOUR_CALM,
          "field block of " + size + " bytes exceeds " + limits.maxFieldBlockBytes());
    }
  }

  private void readFrame(ByteBuffer payload, Http2FrameListener listener) {
    switch (type) {
      case FrameType.DATA -> readData(payload, listener);
      case FrameType.HEADERS -> readHeaders(payload, listener);
      case FrameType.PRIORITY -> readPriority(payload, listener);
      case FrameType.RST_STREAM -> listener.onRstStream(streamId, payload.getInt(0));
      case FrameType.SETTINGS -> readSettings(payload, listener);
      case FrameType.PUSH_PROMISE -> readPushPromise(payload, listener);
      case FrameType.PING -> listener.onPing(payload.getLong(0), (flags & FLAG_ACK) != 0);
      case FrameType.GOAWAY -> {
        int debugBytes = Math.min(length - 8, limits.maxDebugDataBytes());
        listener.onGoAway(
            payload.getInt(0) & 0x7FFF_FFFF, payload.getInt(4), payload.slice(8, debugBytes));
      }
      case FrameType.WINDOW_UPDATE -> readWindowUpdate(payload, listener);
      case FrameType.CONTINUATION -> readContinuation(payload, listener);
      default -> throw new IllegalStateException("unknown frames are skipped: " + type);
    }
  }

  private void readData(ByteBuffer payload, Http2FrameListener listener) {
    int padding = padding(payload);
    int start = (flags & FLAG_PADDED) != 0 ? 1 : 0;
    listener.onData(
        streamId,
        payload.slice(start, length - start - padding),
        length,
        (flags & FLAG_END_STREAM) != 0);
  }

  private void readHeaders(ByteBuffer payload, Http2FrameListener listener) {
    int padding = padding(payload);
    int start = (flags & FLAG_PADDED) != 0 ? 1 : 0;
    boolean dependsOnItself = false;
    if ((flags & FLAG_PRIORITY) != 0) {
      // RFC 9113 §6.2: the priority fields are read past; §5.3.1: a stream cannot depend on
      // itself.
      dependsOnItself = (payload.getInt(start) & 0x7FFF_FFFF) == streamId;
      start += 5;
    }
    int fragment = length - start - padding;
    if (fragment < 0) {
      throw connectionError(
          ErrorCode.PROTOCOL_ERROR, "HEADERS padding of " + padding + " leaves no room");
    }
    beginFieldBlock(
        FrameType.HEADERS, 0, payload.slice(start, fragment), dependsOnItself, listener);
  }

  private void readPushPromise(ByteBuffer payload, Http2FrameListener listener) {
    int padding = padding(payload);
    int start = (flags & FLAG_PADDED) != 0 ? 1 : 0;
    int promised = payload.getInt(start) & 0x7FFF_FFFF;
    start += 4;
    int fragment = length - start - padding;
    if (fragment < 0) {
      throw connectionError(
          ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE padding of " + padding + " leaves no room");
    }
    beginFieldBlock(
        FrameType.PUSH_PROMISE, promised, payload.slice(start, fragment), false, listener);
  }

  private void beginFieldBlock(
      int blockType,
      int promisedStreamId,
      ByteBuffer fragment,
      boolean dependsOnItself,
      Http2FrameListener listener) {
    checkFieldBlockSize(fragment.remaining());
    this.blockType = blockType;
    this.blockEndStream = (flags & FLAG_END_STREAM) != 0;
    this.blockPromisedStreamId = promisedStreamId;
    this.blockDependsOnItself = dependsOnItself;
    if ((flags & FLAG_END_HEADERS) != 0) {
      endFieldBlock(streamId, fragment, listener);
      return;
    }
    block = new byte[Math.max(fragment.remaining() * 2, 256)];
    blockLength = 0;
    append(fragment);
    blockStreamId = streamId;
    continuations = 0;
  }

  private void readContinuation(ByteBuffer payload, Http2FrameListener listener) {
    append(payload);
    if ((flags & FLAG_END_HEADERS) != 0) {
      ByteBuffer whole = ByteBuffer.wrap(block, 0, blockLength);
      block = null;
      blockStreamId = 0;
      endFieldBlock(streamId, whole, listener);
    }
  }

  private void append(ByteBuffer fragment) {
    int n = fragment.remaining();
    if (blockLength + n > block.length) {
      block = Arrays.copyOf(block, Math.max(blockLength + n, block.length * 2));
    }
    fragment.get(fragment.position(), block, blockLength, n);
    blockLength += n;
  }

  private void endFieldBlock(int stream, ByteBuffer fieldBlock, Http2FrameListener listener) {
    if (blockType == FrameType.PUSH_PROMISE) {
      listener.onPushPromise(stream, blockPromisedStreamId, fieldBlock);
      return;
    }
    listener.onHeaders(stream, fieldBlock, blockEndStream);
    if (blockDependsOnItself) {
      listener.onStreamError(
          Http2Exception.streamError(
              stream,
              ErrorCode.PROTOCOL_ERROR,
              "HEADERS make stream " + stream + " depend on itself"));
    }
  }

  private void readPriority(ByteBuffer payload, Http2FrameListener listener) {
    int word = payload.getInt(0);
    int dependency = word & 0x7FFF_FFFF;
    // RFC 9113 §5.3.1: a stream cannot depend on itself.
    if (dependency == streamId) {
      listener.onStreamError(
          Http2Exception.streamError(
              streamId, ErrorCode.PROTOCOL_ERROR, "PRIORITY makes stream depend on itself"));
      return;
    }
    listener.onPriority(streamId, dependency, word < 0, (payload.get(4) & 0xFF) + 1);
  }

  private void readSettings(ByteBuffer payload, Http2FrameListener listener) {
    if ((flags & FLAG_ACK) != 0) {
      listener.onSettingsAck();
      return;
    }
    var settings = new Http2Settings();
    for (int at = 0; at < length; at += Http2Settings.PARAMETER_BYTES) {
      settings.set(payload.getShort(at) & 0xFFFF, payload.getInt(at + 2) & 0xFFFF_FFFFL);
    }
    listener.onSettings(settings);
  }

  private void readWindowUpdate(ByteBuffer payload, Http2FrameListener listener) {
    // RFC 9113 §6.9: the reserved bit is ignored; an increment of 0 is a PROTOCOL_ERROR, on the
    // stream for a stream's window, on the connection for the connection's.
    int increment = payload.getInt(0) & 0x7FFF_FFFF;
    if (increment != 0) {
      listener.onWindowUpdate(streamId, increment);
    } else if (streamId == 0) {
      throw connectionError(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE of 0 on the connection");
    } else {
      listener.onStreamError(
          Http2Exception.streamError(streamId, ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE of 0"));
    }
  }

  /** The padding of a padded frame, checked against the payload (§6.1, §6.2, §6.6). */
  private int padding(ByteBuffer payload) {
    if ((flags & FLAG_PADDED) == 0) {
      return 0;
    }
    int padding = payload.get(0) & 0xFF;
    // RFC 9113 §6.1: padding as long as the payload or longer is a PROTOCOL_ERROR.
    if (padding >= length) {
      throw connectionError(
          ErrorCode.PROTOCOL_ERROR,
          FrameType.name(type) + " padding of " + padding + " in a payload of " + length);
    }
    return padding;
  }

  private void requireStream(String frame) {
    if (streamId == 0) {
      throw connectionError(ErrorCode.PROTOCOL_ERROR, frame + " on stream 0");
    }
  }

  private void requireConnection(String frame) {
    if (streamId != 0) {
      throw connectionError(ErrorCode.PROTOCOL_ERROR, frame + " on stream " + streamId);
    }
  }

  // RFC 9113 §4.2: a frame too small for its mandatory fields, or of a fixed size it does not
  // have, is a FRAME_SIZE_ERROR; where the frame can change the connection's state, a connection
  // error (PRIORITY, the one stream-level case, is handled where it is read).
  private void requireExactly(int bytes) {
    if (length != bytes) {
      throw connectionError(
          ErrorCode.FRAME_SIZE_ERROR,
          FrameType.name(type) + " of " + length + " bytes, not " + bytes);
    }
  }

  private void requireAtLeast(int bytes) {
    if (length < bytes) {
      throw connectionError(
          ErrorCode.FRAME_SIZE_ERROR,
          FrameType.name(type) + " of " + length + " bytes, at least " + bytes + " expected");
    }
  }

  private void skip() {
    state = SKIP;
    skipLeft = length;
  }

  private static Http2Exception connectionError(ErrorCode code, String message) {
    return Http2Exception.connectionError(code, message);
  }

  static void checkMaxFrameSize(int size) {
    if (size < FrameType.MIN_MAX_FRAME_SIZE || size > FrameType.MAX_MAX_FRAME_SIZE) {
      throw new IllegalArgumentException("max frame size must be 16384..16777215, not " + size);
    }
  }
}
