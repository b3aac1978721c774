package dev.wharf.dns.codec;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A domain name: a sequence of labels of raw octets, always absolute (ending at the root). Equal to
 * another name when the labels are equal ignoring ASCII case (RFC 1035 §2.3.3; RFC 4343).
 *
 * <p>Immutable; any thread.
 */
public final class DnsName {
  /** RFC 1035 §2.3.4: a label holds at most 63 octets. */
  public static final int MAX_LABEL = 63;

  /** RFC 1035 §2.3.4: a name takes at most 255 octets on the wire, length octets included. */
  public static final int MAX_WIRE_LENGTH = 255;

  public static final DnsName ROOT = new DnsName(new byte[0][]);

  private final byte[][] labels;
  private final int hash;
  private String canonicalKey; // made on first use

  private DnsName(byte[][] labels) {
    this.labels = labels;
    int h = 1;
    for (byte[] label : labels) {
      for (byte b : label) {
        h = 31 * h + lower(b);
      }
      h = 31 * h + '.';
    }
    this.hash = h;
  }

  /**
   * The name of these labels, from the leftmost; throws {@link IllegalArgumentException} when one
   * is empty or too long or the name too long.
   */
  public static DnsName of(List<byte[]> labels) {
    byte[][] copy = new byte[labels.size()][];
    int wire = 1;
    for (int i = 0; i < copy.length; i++) {
      byte[] label = labels.get(i);
      if (label.length == 0 || label.length > MAX_LABEL) {
        throw new IllegalArgumentException(
            "a label must hold 1 to " + MAX_LABEL + " octets, not " + label.length);
      }
      wire += 1 + label.length;
      copy[i] = label.clone();
    }
    if (wire > MAX_WIRE_LENGTH) {
      throw new IllegalArgumentException(
          "a name takes at most " + MAX_WIRE_LENGTH + " octets, not " + wire);
    }
    return new DnsName(copy);
  }

  /**
   * Parses a name as written in a zone file or on a command line ({@code www.example.com}, trailing
   * dot optional; {@code \.} and {@code \DDD} escapes, RFC 1035 §5.1). Throws {@link
   * IllegalArgumentException} saying what is wrong.
   */
  public static DnsName parse(String text) {
    if (text.equals(".")) {
      return ROOT;
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty name");
    }
    var labels = new ArrayList<byte[]>();
    var label = new java.io.ByteArrayOutputStream();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '.') {
        if (label.size() == 0) {
          throw new IllegalArgumentException("empty label in '" + text + "'");
        }
        labels.add(label.toByteArray());
        label.reset();
        i++;
      } else if (c == '\\') {
        if (i + 1 >= text.length()) {
          throw new IllegalArgumentException("a backslash ends '" + text + "'");
        }
        if (i + 3 < text.length()
            && Character.isDigit(text.charAt(i + 1))
            && Character.isDigit(text.charAt(i + 2))
            && Character.isDigit(text.charAt(i + 3))) {
          int value = Integer.parseInt(text.substring(i + 1, i + 4));
          if (value > 255) {
            throw new IllegalArgumentException("escape \\" + value + " is above 255");
          }
          label.write(value);
          i += 4;
        } else {
          label.write(text.charAt(i + 1));
          i += 2;
        }
      } else {
        if (c > 0x7e || c < 0x21) {
          throw new IllegalArgumentException(
              "'" + text + "' holds a character a name cannot: write it as \\DDD");
        }
        label.write(c);
        i++;
      }
    }
    if (label.size() > 0) {
      labels.add(label.toByteArray());
    }
    return of(labels);
  }

  /**
   * The reverse-lookup name of an address: {@code 1.2.0.192.in-addr.arpa.} (RFC 1035 §3.5) or the
   * nibbles under {@code ip6.arpa.} (RFC 3596 §2.5).
   */
  public static DnsName reverse(InetAddress address) {
    byte[] bytes = address.getAddress();
    var labels = new ArrayList<byte[]>();
    if (address instanceof Inet4Address) {
      for (int i = bytes.length - 1; i >= 0; i--) {
        labels.add(
            Integer.toString(bytes[i] & 0xff).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
      labels.add(ascii("in-addr"));
    } else if (address instanceof Inet6Address) {
      for (int i = bytes.length - 1; i >= 0; i--) {
        labels.add(ascii(Integer.toHexString(bytes[i] & 0x0f)));
        labels.add(ascii(Integer.toHexString((bytes[i] >> 4) & 0x0f)));
      }
      labels.add(ascii("ip6"));
    }
    labels.add(ascii("arpa"));
    return of(labels);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** How many labels, the root not counted. */
  public int labelCount() {
    return labels.length;
  }

  /** A copy of label {@code index}, counted from the left. */
  public byte[] label(int index) {
    return labels[index].clone();
  }

  byte[] labelUnsafe(int index) {
    return labels[index];
  }

  public boolean isRoot() {
    return labels.length == 0;
  }

  /** This name without its first {@code count} labels. */
  public DnsName suffix(int count) {
    return new DnsName(Arrays.copyOfRange(labels, count, labels.length));
  }

  /**
   * This name with {@code label} in front: {@code child("*")} of {@code example.} is {@code
   * *.example.}.
   */
  public DnsName child(byte[] label) {
    var labels = new ArrayList<byte[]>(this.labels.length + 1);
    labels.add(label.clone());
    labels.addAll(Arrays.asList(this.labels));
    return of(labels);
  }

  /**
   * Writes the labels (length octet, then the label, as sent) at {@code at} in {@code out}, without
   * the root's zero: the uncompressed wire form less its last octet. Returns the index after them.
   */
  public int writeLabels(byte[] out, int at) {
    for (byte[] label : labels) {
      out[at++] = (byte) label.length;
      System.arraycopy(label, 0, out, at, label.length);
      at += label.length;
    }
    return at;
  }

  /** The octets the name takes on the wire uncompressed, the root's zero included. */
  public int wireLength() {
    int n = 1;
    for (byte[] label : labels) {
      n += 1 + label.length;
    }
    return n;
  }

  /**
   * The name with its letters in lower case: the key compression, comparisons and the server's
   * answer cache use. Made once per name (a benign race: every thread computes the same string).
   */
  public String canonicalKey() {
    String key = canonicalKey;
    if (key == null) {
      key = makeCanonicalKey();
      canonicalKey = key;
    }
    return key;
  }

  private String makeCanonicalKey() {
    var out = new StringBuilder(wireLength());
    for (byte[] label : labels) {
      out.append((char) label.length);
      for (byte b : label) {
        out.append((char) lower(b));
      }
    }
    return out.toString();
  }

  private static int lower(byte b) {
    int c = b & 0xff;
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof DnsName that) || that.labels.length != labels.length) {
      return false;
    }
    for (int i = 0; i < labels.length; i++) {
      byte[] a = labels[i];
      byte[] b = that.labels[i];
      if (a.length != b.length) {
        return false;
      }
      for (int j = 0; j < a.length; j++) {
        if (lower(a[j]) != lower(b[j])) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /**
   * The name as dig prints it: absolute (trailing dot), with {@code .}, {@code \}, and the
   * characters special in zone files escaped, and octets outside printable ASCII as {@code \DDD}.
   */
  @Override
  public String toString() {
    if (labels.length == 0) {
      return ".";
    }
    var out = new StringBuilder();
    for (byte[] label : labels) {
      for (byte b : label) {
        int c = b & 0xff;
        switch (c) {
          case '.', '\\', '"', '(', ')', ';', '@', '$' -> out.append('\\').append((char) c);
          default -> {
            if (c <= 0x20 || c >= 0x7f) {
              out.append('\\').append(String.format("%03d", c));
            } else {
              out.append((char) c);
            }
          }
        }
      }
      out.append('.');
    }
    return out.toString();
  }
}
