package dev.wharf.testkit;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Ways to hand bytes to a decoder or a protocol: all at once, one byte at a time, and seeded random
 * splits. Each piece is a fresh buffer (a direct one for the random splits, as the event loop
 * lends), so a decoder that keeps a buffer past its call shows up. Use every value in a
 * parameterized test ({@code @EnumSource(Feed.class)}); an embedded protocol is fed with {@code
 * feed.feed(bytes, connection::writeInbound)}.
 */
public enum Feed {
  WHOLE,
  BYTE_BY_BYTE,
  RANDOM_SPLITS_1,
  RANDOM_SPLITS_2,
  RANDOM_SPLITS_3;

  /** Hands {@code input} to {@code decoder} in this feed's pieces, in order. */
  public void feed(byte[] input, Consumer<ByteBuffer> decoder) {
    for (ByteBuffer piece : pieces(input)) {
      decoder.accept(piece);
    }
  }

  /** The pieces {@link #feed} hands over; the same for the same input every time. */
  public List<ByteBuffer> pieces(byte[] input) {
    var pieces = new ArrayList<ByteBuffer>();
    switch (this) {
      case WHOLE -> pieces.add(ByteBuffer.wrap(input.clone()));
      case BYTE_BY_BYTE -> {
        for (byte b : input) {
          pieces.add(ByteBuffer.wrap(new byte[] {b}));
        }
      }
      default -> {
        var random = new Random(ordinal() * 7919L);
        int at = 0;
        while (at < input.length) {
          int n =
              Math.min(input.length - at, 1 + random.nextInt(Math.max(1, input.length / 3 + 1)));
          ByteBuffer piece = ByteBuffer.allocateDirect(n).put(input, at, n).flip();
          pieces.add(piece);
          at += n;
        }
      }
    }
    return pieces;
  }
}
