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

  /**
   * The one's-complement sum (RFC 1071) of {@code count} bytes from {@code offset}, added to {@code
   * sum}, not yet folded or complemented.
   */
  long sum(int offset, int count, long sum) {
    int end = offset + count;
    for (int at = offset; at + 1 < end; at += 2) {
      sum += u16(at);
    }
    if ((count & 1) != 0) {
      sum += u8(end - 1) << 8;
    }
    return sum;
  }

  /**
   * The checksum that belongs at {@code checksumAt}, over {@code count} bytes from {@code offset}
   * and a pseudo-header's {@code sum}: the stored one is left out.
   */
  int expectedChecksum(int offset, int count, long sum, int checksumAt) {
    sum = sum(offset, count, sum) - u16(checksumAt);
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
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
