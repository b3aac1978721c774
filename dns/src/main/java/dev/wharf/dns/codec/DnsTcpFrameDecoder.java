package dev.wharf.dns.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a TCP byte stream into DNS messages: each is preceded by its length in two octets (RFC
 * 1035 §4.2.2, RFC 7766 §8). Fed any pieces, in order; returns each whole message's octets as soon
 * as its last octet arrived. A zero length is a {@link DnsFormatException}, after which the decoder
 * refuses further input.
 *
 * <p>Not thread-safe: one per connection, on its loop.
 */
public final class DnsTcpFrameDecoder {
  private final byte[] lengthOctets = new byte[2];
  private int lengthRead;
  private byte[] frame;
  private int frameRead;
  private long consumed;
  private boolean failed;

  /** Takes all of {@code data}'s remaining octets; returns the messages they completed. */
  public List<byte[]> decode(ByteBuffer data) {
    if (failed) {
      throw new DnsFormatException(
          "the stream already failed", (int) Math.min(consumed, Integer.MAX_VALUE));
    }
    List<byte[]> frames = List.of();
    while (data.hasRemaining()) {
      if (frame == null) {
        lengthOctets[lengthRead++] = data.get();
        consumed++;
        if (lengthRead < 2) {
          continue;
        }
        lengthRead = 0;
        int length = ((lengthOctets[0] & 0xff) << 8) | (lengthOctets[1] & 0xff);
        if (length == 0) {
          failed = true;
          throw new DnsFormatException(
              "a TCP frame announces a zero-length message",
              (int) Math.min(consumed - 2, Integer.MAX_VALUE));
        }
        frame = new byte[length];
        frameRead = 0;
        continue;
      }
      int take = Math.min(data.remaining(), frame.length - frameRead);
      data.get(frame, frameRead, take);
      frameRead += take;
      consumed += take;
      if (frameRead == frame.length) {
        if (frames.isEmpty()) {
          frames = new ArrayList<>(2);
        }
        frames.add(frame);
        frame = null;
      }
    }
    return frames;
  }

  /** Whether a message has begun and not yet ended: the stream may not end here. */
  public boolean isInsideMessage() {
    return frame != null || lengthRead > 0;
  }

  /** Prefixes a message with its two-octet length for TCP. */
  public static ByteBuffer frame(byte[] message) {
    if (message.length > 0xffff) {
      throw new IllegalArgumentException("a DNS message over TCP holds at most 65535 octets");
    }
    return ByteBuffer.allocate(2 + message.length)
        .putShort((short) message.length)
        .put(message)
        .flip();
  }
}
