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
 * feed.feed(bytes, connection::writeInbound)}. {@link #ways} gives more random rounds at once, for
 * a check run in a loop.
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
          pieces.add(direct(input, at, n));
          at += n;
        }
      }
    }
    return pieces;
  }

  /**
   * Every way to feed {@code input}, each a list of pieces: whole, byte by byte, then {@code
   * rounds} random splits from {@code seed}, each piece 1 to {@code maxPiece} bytes. The random
   * pieces are direct buffers in even rounds and, in odd ones, windows of the input at their own
   * offset (so a decoder that assumes position 0 shows up).
   */
  public static List<List<ByteBuffer>> ways(byte[] input, int rounds, long seed, int maxPiece) {
    var ways = new ArrayList<List<ByteBuffer>>();
    ways.add(WHOLE.pieces(input));
    ways.add(BYTE_BY_BYTE.pieces(input));
    var random = new Random(seed);
    for (int round = 0; round < rounds; round++) {
      var pieces = new ArrayList<ByteBuffer>();
      byte[] copy = input.clone();
      for (int at = 0; at < input.length; ) {
        int n = 1 + random.nextInt(Math.min(maxPiece, input.length - at));
        pieces.add(round % 2 == 0 ? direct(input, at, n) : ByteBuffer.wrap(copy, at, n));
        at += n;
      }
      ways.add(pieces);
    }
    return ways;
  }

  private static ByteBuffer direct(byte[] input, int at, int n) {
    return ByteBuffer.allocateDirect(n).put(input, at, n).flip();
  }
}
