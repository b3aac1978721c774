package dev.wharf.http.h2.frame;

import static dev.wharf.http.h2.frame.FrameType.FLAG_ACK;
import static dev.wharf.http.h2.frame.FrameType.FLAG_END_HEADERS;
import static dev.wharf.http.h2.frame.FrameType.FLAG_END_STREAM;
import static dev.wharf.http.h2.frame.FrameType.FLAG_PADDED;
import static dev.wharf.http.h2.frame.FrameType.FLAG_PRIORITY;
import static dev.wharf.http.h2.frame.FrameType.HEADER_BYTES;

import java.nio.ByteBuffer;

/**
 * Writes HTTP/2 frames (RFC 9113 §4, §6) into buffers, under the rules {@link Http2FrameDecoder}
 * enforces on receipt: a frame we are about to write that breaks one is our bug, so it is refused
 * with an {@link IllegalArgumentException} and nothing is written. A field block longer than the
 * peer's SETTINGS_MAX_FRAME_SIZE goes out as HEADERS and CONTINUATION frames (§6.10). DATA can be
 * written as its 9-byte header alone ({@link #writeDataHeader}), so that a connection sends the
 * payload from a buffer or a file region of its own without copying it. PUSH_PROMISE is never
 * written: Wharf does not push.
 *
 * <p>Each method writes at {@code out}'s position and advances it; {@code out} must have room (a
 * {@link java.nio.BufferOverflowException} otherwise, with {@code out} partly written), which
 * {@link #headersBytes} and {@link FrameType#HEADER_BYTES} help to size. One encoder belongs to one
 * connection and is used on its event loop. Does no I/O.
 */
public final class Http2FrameEncoder {

  /**
   * The deprecated priority fields of HEADERS and PRIORITY frames (RFC 9113 §5.3.2, §6.3): written
   * only because peers and tests still send them; {@code weight} is 1..256.
   */
  public record Priority(int streamDependency, boolean exclusive, int weight) {
    public Priority {
      if (streamDependency < 0 || weight < 1 || weight > 256) {
        throw new IllegalArgumentException(
            "priority needs a dependency >= 0 and a weight of 1..256: "
                + streamDependency
                + ", "
                + weight);
      }
    }
  }

  private int maxFrameSize = FrameType.MIN_MAX_FRAME_SIZE;

  /** The peer's SETTINGS_MAX_FRAME_SIZE (§6.5.2), 16384 until its SETTINGS say otherwise. */
  public void maxFrameSize(int size) {
    Http2FrameDecoder.checkMaxFrameSize(size);
    this.maxFrameSize = size;
  }

  public int maxFrameSize() {
    return maxFrameSize;
  }

  /**
   * Writes the 9-byte header of a DATA frame whose {@code length} payload bytes the caller sends
   * next, from wherever it holds them.
   */
  public void writeDataHeader(ByteBuffer out, int streamId, int length, boolean endStream) {
    requireStream("DATA", streamId); // §6.1
    requireFits("DATA", length);
    writeHeader(out, length, FrameType.DATA, endStream ? FLAG_END_STREAM : 0, streamId);
  }

  /** Writes a DATA frame carrying all of {@code data}, which it consumes. */
  public void writeData(ByteBuffer out, int streamId, ByteBuffer data, boolean endStream) {
    writeDataHeader(out, streamId, data.remaining(), endStream);
    out.put(data);
  }

  /** Writes a DATA frame with {@code padding} zero bytes of padding (0..255) after {@code data}. */
  public void writeData(
      ByteBuffer out, int streamId, ByteBuffer data, int padding, boolean endStream) {
    requireStream("DATA", streamId);
    requirePadding(padding);
    int length = 1 + data.remaining() + padding;
    requireFits("DATA", length);
    writeHeader(
        out, length, FrameType.DATA, FLAG_PADDED | (endStream ? FLAG_END_STREAM : 0), streamId);
    out.put((byte) padding).put(data);
    zeros(out, padding);
  }

  /** The bytes {@link #writeHeaders(ByteBuffer, int, ByteBuffer, boolean)} writes for a block. */
  public int headersBytes(int fieldBlockLength) {
    int frames = Math.max(1, (fieldBlockLength + maxFrameSize - 1) / maxFrameSize);
    return frames * HEADER_BYTES + fieldBlockLength;
  }

  /**
   * Writes a HEADERS frame, followed by as many CONTINUATION frames as the peer's frame size asks
   * for, carrying all of {@code fieldBlock} (HPACK-encoded), which it consumes.
   */
  public void writeHeaders(ByteBuffer out, int streamId, ByteBuffer fieldBlock, boolean endStream) {
    requireStream("HEADERS", streamId); // §6.2
    writeFieldBlock(out, streamId, fieldBlock, endStream ? FLAG_END_STREAM : 0, null, 0);
  }

  /** As {@link #writeHeaders(ByteBuffer, int, ByteBuffer, boolean)}, with priority and padding. */
  public void writeHeaders(
      ByteBuffer out,
      int streamId,
      ByteBuffer fieldBlock,
      boolean endStream,
      Priority priority,
      int padding) {
    requireStream("HEADERS", streamId);
    requirePadding(padding);
    requireNotSelf(streamId, priority);
    int flags = (endStream ? FLAG_END_STREAM : 0) | FLAG_PRIORITY | (padding > 0 ? FLAG_PADDED : 0);
    writeFieldBlock(out, streamId, fieldBlock, flags, priority, padding);
  }

  private void writeFieldBlock(
      ByteBuffer out,
      int streamId,
      ByteBuffer fieldBlock,
      int flags,
      Priority priority,
      int padding) {
    int overhead = ((flags & FLAG_PADDED) != 0 ? 1 + padding : 0) + (priority != null ? 5 : 0);
    if (overhead >= maxFrameSize) {
      throw new IllegalArgumentException("padding and priority fill the whole frame");
    }
    int first = Math.min(fieldBlock.remaining(), maxFrameSize - overhead);
    boolean ends = first == fieldBlock.remaining();
    writeHeader(
        out, overhead + first, FrameType.HEADERS, flags | (ends ? FLAG_END_HEADERS : 0), streamId);
    if ((flags & FLAG_PADDED) != 0) {
      out.put((byte) padding);
    }
    if (priority != null) {
      writePriorityFields(out, priority);
    }
    putSome(out, fieldBlock, first);
    zeros(out, (flags & FLAG_PADDED) != 0 ? padding : 0);
    // RFC 9113 §6.10: the rest of the block follows at once, on the same stream.
    while (fieldBlock.hasRemaining()) {
      int n = Math.min(fieldBlock.remaining(), maxFrameSize);
      boolean last = n == fieldBlock.remaining();
      writeHeader(out, n, FrameType.CONTINUATION, last ? FLAG_END_HEADERS : 0, streamId);
      putSome(out, fieldBlock, n);
    }
  }

  /** Writes a PRIORITY frame (§6.3). */
  public void writePriority(ByteBuffer out, int streamId, Priority priority) {
    requireStream("PRIORITY", streamId);
    requireNotSelf(streamId, priority);
    writeHeader(out, 5, FrameType.PRIORITY, 0, streamId);
    writePriorityFields(out, priority);
  }

  /** Writes an RST_STREAM frame (§6.4). */
  public void writeRstStream(ByteBuffer out, int streamId, ErrorCode code) {
    requireStream("RST_STREAM", streamId);
    writeHeader(out, 4, FrameType.RST_STREAM, 0, streamId);
    out.putInt(code.code());
  }

  /** Writes a SETTINGS frame with {@code settings}' parameters, in identifier order (§6.5). */
  public void writeSettings(ByteBuffer out, Http2Settings settings) {
    requireFits("SETTINGS", settings.payloadBytes());
    writeHeader(out, settings.payloadBytes(), FrameType.SETTINGS, 0, 0);
    for (int id = Http2Settings.HEADER_TABLE_SIZE; id <= Http2Settings.MAX_HEADER_LIST_SIZE; id++) {
      if (settings.has(id)) {
        out.putShort((short) id).putInt((int) settings.get(id).getAsLong());
      }
    }
  }

  /** Writes a SETTINGS frame with ACK (§6.5.3). */
  public void writeSettingsAck(ByteBuffer out) {
    writeHeader(out, 0, FrameType.SETTINGS, FLAG_ACK, 0);
  }

  /** Writes a PING frame (§6.7), or its answer when {@code ack}. */
  public void writePing(ByteBuffer out, long data, boolean ack) {
    writeHeader(out, 8, FrameType.PING, ack ? FLAG_ACK : 0, 0);
    out.putLong(data);
  }

  /** Writes a GOAWAY frame (§6.8) with {@code debugData}, which it consumes. */
  public void writeGoAway(ByteBuffer out, int lastStreamId, ErrorCode code, ByteBuffer debugData) {
    if (lastStreamId < 0) {
      throw new IllegalArgumentException("last stream id " + lastStreamId);
    }
    int length = 8 + debugData.remaining();
    requireFits("GOAWAY", length);
    writeHeader(out, length, FrameType.GOAWAY, 0, 0);
    out.putInt(lastStreamId).putInt(code.code()).put(debugData);
  }

  /** Writes a WINDOW_UPDATE frame (§6.9) for a stream, or for the connection on stream 0. */
  public void writeWindowUpdate(ByteBuffer out, int streamId, int increment) {
    // RFC 9113 §6.9: the increment is 1..2^31-1.
    if (streamId < 0 || increment < 1) {
      throw new IllegalArgumentException(
          "WINDOW_UPDATE on stream " + streamId + " of " + increment);
    }
    writeHeader(out, 4, FrameType.WINDOW_UPDATE, 0, streamId);
    out.putInt(increment);
  }

  private static void writeHeader(ByteBuffer out, int length, int type, int flags, int streamId) {
    out.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
    out.put((byte) type).put((byte) flags).putInt(streamId);
  }

  private static void writePriorityFields(ByteBuffer out, Priority priority) {
    out.putInt(priority.streamDependency() | (priority.exclusive() ? 0x8000_0000 : 0));
    out.put((byte) (priority.weight() - 1));
  }

  private static void putSome(ByteBuffer out, ByteBuffer from, int n) {
    out.put(out.position(), from, from.position(), n);
    out.position(out.position() + n);
    from.position(from.position() + n);
  }

  private static void zeros(ByteBuffer out, int n) {
    for (int i = 0; i < n; i++) {
      out.put((byte) 0);
    }
  }

  private void requireFits(String frame, int length) {
    // RFC 9113 §4.2: never more than the peer's SETTINGS_MAX_FRAME_SIZE.
    if (length > maxFrameSize) {
      throw new IllegalArgumentException(
          frame + " of " + length + " bytes exceeds the peer's max frame size " + maxFrameSize);
    }
  }

  private static void requireStream(String frame, int streamId) {
    if (streamId <= 0) {
      throw new IllegalArgumentException(frame + " needs a stream, not " + streamId);
    }
  }

  private static void requirePadding(int padding) {
    if (padding < 0 || padding > 255) {
      throw new IllegalArgumentException("padding of 0..255, not " + padding);
    }
  }

  private static void requireNotSelf(int streamId, Priority priority) {
    // RFC 9113 §5.3.1: a stream cannot depend on itself.
    if (priority.streamDependency() == streamId) {
      throw new IllegalArgumentException("stream " + streamId + " cannot depend on itself");
    }
  }
}
