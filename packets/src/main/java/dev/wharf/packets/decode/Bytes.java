package dev.wharf.packets.decode;

import java.util.HexFormat;

/** Bounds-checked big-endian reads of a captured packet; callers check {@link #has} first. */
final class Bytes {
  private final byte[] data;

  Bytes(byte[] data) {
    this.data = data;
  }

  int length() {
    return data.length;
  }

  boolean has(int offset, int count) {
    return offset >= 0 && count >= 0 && offset <= data.length - count;
  }

  int u8(int offset) {
    return data[offset] & 0xff;
  }

  int u16(int offset) {
    return (u8(offset) << 8) | u8(offset + 1);
  }

  long u32(int offset) {
    return ((long) u16(offset) << 16) | u16(offset + 2);
  }

  String mac(int offset) {
    var text = new StringBuilder(17);
    for (int i = 0; i < 6; i++) {
      if (i > 0) {
        text.append(':');
      }
      text.append(HexFormat.of().toHexDigits(data[offset + i]));
    }
    return text.toString();
  }

  String ipv4(int offset) {
    return u8(offset) + "." + u8(offset + 1) + "." + u8(offset + 2) + "." + u8(offset + 3);
  }

  String ipv6(int offset) {
    byte[] raw = new byte[16];
    System.arraycopy(data, offset, raw, 0, 16);
    return dev.wharf.packets.AddressText.ipv6(raw);
  }
}
