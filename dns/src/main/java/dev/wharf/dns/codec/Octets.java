package dev.wharf.dns.codec;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of octets, compared by content: the raw parts of records (TXT strings, option
 * data, unknown RDATA).
 *
 * <p>Immutable; any thread.
 */
public final class Octets {
  public static final Octets EMPTY = new Octets(new byte[0]);

  private final byte[] bytes;

  private Octets(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Octets of(byte[] bytes) {
    return new Octets(bytes.clone());
  }

  /** The octets of {@code text} in ISO-8859-1 (one octet per character up to U+00FF). */
  public static Octets latin1(String text) {
    return new Octets(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  public int length() {
    return bytes.length;
  }

  public int get(int index) {
    return bytes[index] & 0xff;
  }

  public byte[] toByteArray() {
    return bytes.clone();
  }

  byte[] unsafe() {
    return bytes;
  }

  /** Upper-case hexadecimal, as dig prints RFC 3597 data. */
  public String hex() {
    return HexFormat.of().withUpperCase().formatHex(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Octets that && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
