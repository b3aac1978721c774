package dev.wharf.core.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Just enough DER (ITU-T X.690) to turn the traditional OpenSSL key formats (PKCS#1 RSA, SEC1 EC)
 * into PKCS#8, which the JDK reads: read one element, write a length.
 */
final class Der {
  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OBJECT_IDENTIFIER = 0x06;
  static final int SEQUENCE = 0x30;

  /** rsaEncryption, 1.2.840.113549.1.1.1 */
  static final byte[] OID_RSA = {
    0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01
  };

  /** id-ecPublicKey, 1.2.840.10045.2.1 */
  static final byte[] OID_EC = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private Der() {}

  /** One element: its tag, and where its contents lie in the input. */
  record Element(int tag, byte[] input, int offset, int start, int end) {
    byte[] contents() {
      return Arrays.copyOfRange(input, start, end);
    }

    /** The encoded element itself: tag, length and contents. */
    byte[] encoded() {
      return Arrays.copyOfRange(input, offset, end);
    }

    /** The elements inside a constructed element (SEQUENCE, context tag). */
    java.util.List<Element> children() throws java.io.IOException {
      var list = new java.util.ArrayList<Element>();
      int at = start;
      while (at < end) {
        Element child = read(input, at, end);
        list.add(child);
        at = child.end;
      }
      return list;
    }
  }

  /** Reads the element starting at {@code at}; its contents must end by {@code limit}. */
  static Element read(byte[] input, int at, int limit) throws java.io.IOException {
    if (at + 2 > limit) {
      throw new java.io.IOException("truncated DER");
    }
    int tag = input[at] & 0xff;
    int first = input[at + 1] & 0xff;
    int pos = at + 2;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int bytes = first & 0x7f;
      if (bytes == 0 || bytes > 4 || pos + bytes > limit) {
        throw new java.io.IOException("bad DER length");
      }
      length = 0;
      for (int i = 0; i < bytes; i++) {
        length = (length << 8) | (input[pos++] & 0xff);
      }
    }
    if (pos + length > limit) {
      throw new java.io.IOException("truncated DER");
    }
    return new Element(tag, input, at, pos, (int) (pos + length));
  }

  /** Encodes an element from its tag and contents. */
  static byte[] encode(int tag, byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    var out = new ByteArrayOutputStream(length + 6);
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x83);
      out.write(length >> 16);
      out.write(length >> 8);
      out.write(length);
    }
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** A PKCS#8 PrivateKeyInfo around a key in its algorithm's own format. */
  static byte[] pkcs8(byte[] algorithmIdentifier, byte[] privateKey) {
    return encode(
        SEQUENCE,
        encode(INTEGER, new byte[] {0}),
        algorithmIdentifier,
        encode(OCTET_STRING, privateKey));
  }
}
