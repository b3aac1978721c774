package dev.wharf.http.h2.frame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;

/**
 * Frames described as one line of text, which Java and the Python peer (hyperframe) both read and
 * write, so that either side can make frames the other checks. Empty bytes are {@code -}; booleans
 * are 0 or 1; a pad of -1 means no PADDED flag, a dependency of -1 no PRIORITY flag:
 *
 * <pre>
 *   DATA stream end pad hex             HEADERS stream end pad dependency exclusive weight hex
 *   PRIORITY stream dependency exclusive weight          RST_STREAM stream code
 *   SETTINGS ack id=value,...           PING ack hex16     GOAWAY last code hex
 *   WINDOW_UPDATE stream increment
 * </pre>
 */
final class FrameSpecs {
  private static final HexFormat HEX = HexFormat.of();

  private FrameSpecs() {}

  /** Writes the frame(s) {@code spec} describes with {@code encoder}. */
  static void encode(String spec, Http2FrameEncoder encoder, ByteBuffer out) {
    String[] f = spec.split(" ");
    switch (f[0]) {
      case "DATA" -> {
        int pad = Integer.parseInt(f[3]);
        ByteBuffer data = ByteBuffer.wrap(bytes(f[4]));
        if (pad < 0) {
          encoder.writeData(out, id(f[1]), data, flag(f[2]));
        } else {
          encoder.writeData(out, id(f[1]), data, pad, flag(f[2]));
        }
      }
      case "HEADERS" -> {
        int pad = Integer.parseInt(f[3]);
        int dependency = Integer.parseInt(f[4]);
        ByteBuffer block = ByteBuffer.wrap(bytes(f[7]));
        if (dependency < 0) {
          if (pad >= 0) {
            throw new IllegalArgumentException("the encoder pads HEADERS with priority only");
          }
          encoder.writeHeaders(out, id(f[1]), block, flag(f[2]));
        } else {
          var priority =
              new Http2FrameEncoder.Priority(dependency, flag(f[5]), Integer.parseInt(f[6]));
          encoder.writeHeaders(out, id(f[1]), block, flag(f[2]), priority, Math.max(pad, 0));
        }
      }
      case "PRIORITY" ->
          encoder.writePriority(
              out,
              id(f[1]),
              new Http2FrameEncoder.Priority(id(f[2]), flag(f[3]), Integer.parseInt(f[4])));
      case "RST_STREAM" -> encoder.writeRstStream(out, id(f[1]), ErrorCode.of(id(f[2])));
      case "SETTINGS" -> {
        if (flag(f[1])) {
          encoder.writeSettingsAck(out);
        } else {
          encoder.writeSettings(out, settings(f[2]));
        }
      }
      case "PING" -> encoder.writePing(out, HexFormat.fromHexDigitsToLong(f[2]), flag(f[1]));
      case "GOAWAY" ->
          encoder.writeGoAway(out, id(f[1]), ErrorCode.of(id(f[2])), ByteBuffer.wrap(bytes(f[3])));
      case "WINDOW_UPDATE" -> encoder.writeWindowUpdate(out, id(f[1]), id(f[2]));
      default -> throw new IllegalArgumentException(spec);
    }
  }

  /** What a decoder reports for the frame(s) {@code spec} describes. */
  static Frame expected(String spec) {
    String[] f = spec.split(" ");
    return switch (f[0]) {
      case "DATA" -> {
        int pad = Integer.parseInt(f[3]);
        int length = bytes(f[4]).length;
        yield new Frame.Data(id(f[1]), hex(f[4]), length + (pad >= 0 ? 1 + pad : 0), flag(f[2]));
      }
      case "HEADERS" -> new Frame.Headers(id(f[1]), hex(f[7]), flag(f[2]));
      case "PRIORITY" -> new Frame.Priority(id(f[1]), id(f[2]), flag(f[3]), Integer.parseInt(f[4]));
      case "RST_STREAM" -> new Frame.RstStream(id(f[1]), id(f[2]));
      case "SETTINGS" -> flag(f[1]) ? new Frame.SettingsAck() : new Frame.Settings(settings(f[2]));
      case "PING" -> new Frame.Ping(HexFormat.fromHexDigitsToLong(f[2]), flag(f[1]));
      case "GOAWAY" -> new Frame.GoAway(id(f[1]), id(f[2]), hex(f[3]));
      case "WINDOW_UPDATE" -> new Frame.WindowUpdate(id(f[1]), id(f[2]));
      default -> throw new IllegalArgumentException(spec);
    };
  }

  /**
   * {@code count} random frames our encoder can write, after a SETTINGS frame (a peer's first
   * frame); field blocks now and then longer than 16 KiB, so that CONTINUATION frames follow.
   */
  static List<String> random(long seed, int count) {
    var random = new Random(seed);
    var specs = new ArrayList<String>();
    specs.add("SETTINGS 0 " + randomSettings(random));
    for (int i = 0; i < count; i++) {
      specs.add(random(random));
    }
    return specs;
  }

  private static String random(Random r) {
    int stream = r.nextInt(4) == 0 ? 1 + r.nextInt(Integer.MAX_VALUE) : 1 + r.nextInt(99);
    return switch (r.nextInt(9)) {
      case 0, 1 -> {
        int pad = r.nextInt(3) == 0 ? r.nextInt(256) : -1;
        int max = FrameType.MIN_MAX_FRAME_SIZE - (pad >= 0 ? 1 + pad : 0);
        int length = r.nextInt(5) == 0 ? r.nextInt(max + 1) : r.nextInt(300);
        yield "DATA " + stream + " " + bit(r) + " " + pad + " " + randomHex(r, length);
      }
      case 2, 3 -> {
        boolean priority = r.nextBoolean();
        int pad = priority && r.nextBoolean() ? 1 + r.nextInt(255) : -1;
        int dependency = priority ? otherThan(stream, r) : -1;
        int length = r.nextInt(6) == 0 ? r.nextInt(40_000) : r.nextInt(200);
        yield "HEADERS "
            + stream
            + " "
            + bit(r)
            + " "
            + pad
            + " "
            + dependency
            + " "
            + (priority ? bit(r) : 0)
            + " "
            + (priority ? 1 + r.nextInt(256) : 16)
            + " "
            + randomHex(r, length);
      }
      case 4 ->
          "PRIORITY "
              + stream
              + " "
              + otherThan(stream, r)
              + " "
              + bit(r)
              + " "
              + (1 + r.nextInt(256));
      case 5 -> "RST_STREAM " + stream + " " + r.nextInt(14);
      case 6 -> r.nextBoolean() ? "SETTINGS 1 -" : "SETTINGS 0 " + randomSettings(r);
      case 7 ->
          r.nextBoolean()
              ? "PING " + bit(r) + " " + HexFormat.of().toHexDigits(r.nextLong())
              : "GOAWAY "
                  + r.nextInt(Integer.MAX_VALUE)
                  + " "
                  + r.nextInt(14)
                  + " "
                  + randomHex(r, r.nextInt(100));
      default ->
          "WINDOW_UPDATE "
              + (r.nextBoolean() ? 0 : stream)
              + " "
              + (1 + r.nextInt(Integer.MAX_VALUE));
    };
  }

  private static String randomSettings(Random r) {
    var params = new StringJoiner(",");
    for (int id = 1; id <= 6; id++) {
      if (r.nextBoolean()) {
        long value =
            switch (id) {
              case Http2Settings.ENABLE_PUSH -> r.nextInt(2);
              case Http2Settings.INITIAL_WINDOW_SIZE -> r.nextInt(Integer.MAX_VALUE);
              case Http2Settings.MAX_FRAME_SIZE ->
                  FrameType.MIN_MAX_FRAME_SIZE
                      + r.nextInt(FrameType.MAX_MAX_FRAME_SIZE - FrameType.MIN_MAX_FRAME_SIZE + 1);
              default -> r.nextLong(0x1_0000_0000L);
            };
        params.add(id + "=" + value);
      }
    }
    return params.length() == 0 ? "-" : params.toString();
  }

  private static int otherThan(int stream, Random r) {
    int dependency = r.nextInt(100);
    return dependency == stream ? dependency + 1 : dependency;
  }

  private static int bit(Random r) {
    return r.nextInt(2);
  }

  private static String randomHex(Random r, int length) {
    byte[] bytes = new byte[length];
    r.nextBytes(bytes);
    return length == 0 ? "-" : HEX.formatHex(bytes);
  }

  static Http2Settings settings(String params) {
    var settings = new Http2Settings();
    if (!params.equals("-")) {
      for (String param : params.split(",")) {
        String[] kv = param.split("=");
        settings.set(Integer.parseInt(kv[0]), Long.parseLong(kv[1]));
      }
    }
    return settings;
  }

  private static int id(String s) {
    return Integer.parseInt(s);
  }

  private static boolean flag(String s) {
    return s.equals("1");
  }

  static byte[] bytes(String hex) {
    return hex.equals("-") ? new byte[0] : HEX.parseHex(hex);
  }

  private static String hex(String hex) {
    return hex.equals("-") ? "" : hex;
  }
}
