package dev.wharf.http.h2.hpack;

import dev.wharf.testkit.Feed;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The shapes a complete header block may reach the decoder in: a heap buffer, a direct one, a
 * window in the middle of a larger array (position and limit not at its ends), and one assembled
 * from fragments as the connection joins HEADERS and CONTINUATION (each {@link Feed}'s pieces).
 */
enum BlockForm {
  HEAP,
  DIRECT,
  WINDOW,
  FROM_FRAGMENTS;

  ByteBuffer of(byte[] block) {
    return switch (this) {
      case HEAP -> ByteBuffer.wrap(block.clone());
      case DIRECT -> ByteBuffer.allocateDirect(block.length).put(block).flip();
      case WINDOW -> {
        var array = new byte[block.length + 10];
        java.util.Arrays.fill(array, (byte) 0xBE); // junk that would decode as index 62
        System.arraycopy(block, 0, array, 7, block.length);
        yield ByteBuffer.wrap(array, 7, block.length);
      }
      case FROM_FRAGMENTS -> {
        List<ByteBuffer> pieces = Feed.RANDOM_SPLITS_2.pieces(block);
        var joined = ByteBuffer.allocate(block.length + 5).position(5);
        pieces.forEach(joined::put);
        yield joined.flip().position(5);
      }
    };
  }
}
