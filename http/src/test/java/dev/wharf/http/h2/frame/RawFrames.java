package dev.wharf.http.h2.frame;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/** Frames written byte by byte, any of them broken on purpose: what the tests feed a decoder. */
final class RawFrames {
  private RawFrames() {}

  /** A frame whose header declares {@code payload}'s length. */
  static byte[] frame(int type, int flags, int streamId, byte[] payload) {
    return frame(payload.length, type, flags, streamId, payload);
  }

  /** A frame whose header declares {@code length}, followed by {@code payload} as is. */
  static byte[] frame(int length, int type, int flags, int streamId, byte[] payload) {
    var out = new ByteArrayOutputStream();
    out.write(length >>> 16);
    out.write(length >>> 8);
    out.write(length);
    out.write(type);
    out.write(flags);
    out.write(streamId >>> 24);
    out.write(streamId >>> 16);
    out.write(streamId >>> 8);
    out.write(streamId);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  /** An empty SETTINGS frame: what a peer's first frame must be. */
  static byte[] settings() {
    return frame(FrameType.SETTINGS, 0, 0, new byte[0]);
  }

  static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
