package dev.wharf.bench.ws;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The messages the WebSocket generator sends: JSON-like ASCII text (valid UTF-8 for text frames,
 * compressible as real application messages are: repeated keys, varied values), {@link #COUNT}
 * different ones of the same size, sent in turn, so a compressor with context takeover does not
 * just see one message again and again.
 */
final class WsMessages {
  /** Distinct messages per size. */
  static final int COUNT = 16;

  private static final String[] USERS = {
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"
  };
  private static final String[] OPS = {"move", "chat", "join", "leave", "update", "ping", "buy"};
  private static final String[] TAGS = {"red", "green", "blue", "fast", "slow", "new", "old"};

  private WsMessages() {}

  /** {@link #COUNT} messages of exactly {@code size} bytes, the same for every run. */
  static byte[][] make(int size) {
    var random = new Random(size * 31L + 7);
    var all = new byte[COUNT][];
    for (int i = 0; i < COUNT; i++) {
      all[i] = one(size, i, random);
    }
    return all;
  }

  private static byte[] one(int size, int index, Random random) {
    var sb = new StringBuilder(size + 128);
    if (size <= 128) {
      record(sb, index, random, false);
    } else {
      sb.append("{\"batch\":").append(index).append(",\"events\":[");
      while (sb.length() < size) {
        record(sb, random.nextInt(1_000_000), random, true);
        sb.append(',');
      }
    }
    while (sb.length() < size) {
      sb.append(' ');
    }
    sb.setLength(size);
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static void record(StringBuilder sb, int seq, Random random, boolean long_) {
    sb.append("{\"seq\":").append(seq);
    sb.append(",\"user\":\"").append(USERS[random.nextInt(USERS.length)]).append('"');
    sb.append(",\"op\":\"").append(OPS[random.nextInt(OPS.length)]).append('"');
    sb.append(",\"x\":").append(random.nextInt(1000));
    sb.append(",\"y\":").append(random.nextInt(1000));
    if (long_) {
      sb.append(",\"ts\":").append(1_763_000_000_000L + random.nextInt(1_000_000));
      sb.append(",\"tags\":[\"").append(TAGS[random.nextInt(TAGS.length)]);
      sb.append("\",\"").append(TAGS[random.nextInt(TAGS.length)]).append("\"]");
      sb.append(",\"score\":").append(random.nextInt(100_000) / 100.0);
    }
    sb.append('}');
  }
}
