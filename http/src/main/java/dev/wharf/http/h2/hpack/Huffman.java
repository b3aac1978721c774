package dev.wharf.http.h2.hpack;

import static dev.wharf.http.h2.hpack.HuffmanCode.CODES;
import static dev.wharf.http.h2.hpack.HuffmanCode.EOS;
import static dev.wharf.http.h2.hpack.HuffmanCode.LENGTHS;

import java.nio.ByteBuffer;

/**
 * The Huffman coding of string literals (RFC 7541 §5.2, Appendix B), both ways. Stateless; the
 * decoding automaton is built once from {@link HuffmanCode}, so any thread may call it.
 *
 * <p>Decoding walks the code's tree four bits at a time: a state is an inner node of the tree (256
 * of them, the root is 0), and for each state and nibble a precomputed transition gives the next
 * state, the symbol completed on the way (at most one, as no code is shorter than five bits), or a
 * failure when the walk meets EOS. A string may end only in a state reached from the root by at
 * most seven 1 bits: that is padding made of the most significant bits of EOS (§5.2).
 */
final class Huffman {
  private static final int INNER_NODES = 256;
  private static final int EMITS = 1 << 17;
  private static final int FAILS = 1 << 18;

  /** state * 16 + nibble: next state (bits 0-7), symbol (8-16), {@link #EMITS}, {@link #FAILS}. */
  private static final int[] TRANSITIONS = new int[INNER_NODES * 16];

  /** Whether a string may end in each state (the padding rule of §5.2). */
  private static final boolean[] MAY_END = new boolean[INNER_NODES];

  static {
    buildAutomaton();
  }

  private Huffman() {}

  /** The octets {@code s} takes Huffman-coded; every char must be an octet (0 to 255). */
  static int encodedLength(String s) {
    long bits = 0;
    for (int i = 0; i < s.length(); i++) {
      bits += LENGTHS[octet(s, i)];
    }
    return (int) ((bits + 7) >>> 3);
  }

  /** Writes {@code s} Huffman-coded at {@code out[at]}; returns the position after it. */
  static int encode(String s, byte[] out, int at) {
    long pending = 0;
    int bits = 0;
    for (int i = 0; i < s.length(); i++) {
      int symbol = octet(s, i);
      int length = LENGTHS[symbol];
      pending = (pending << length) | CODES[symbol];
      bits += length;
      while (bits >= 8) {
        bits -= 8;
        out[at++] = (byte) (pending >>> bits);
      }
    }
    if (bits > 0) {
      // RFC 7541 §5.2: pad with the most significant bits of EOS, all ones.
      out[at++] = (byte) ((pending << (8 - bits)) | (0xFF >>> bits));
    }
    return at;
  }

  /**
   * Decodes {@code length} octets of {@code in} from index {@code from} into {@code out} (which
   * must hold {@code length * 8 / 5 + 1} octets); returns the number of octets decoded.
   */
  static int decode(ByteBuffer in, int from, int length, byte[] out) {
    int state = 0;
    int n = 0;
    for (int i = from; i < from + length; i++) {
      int octet = in.get(i) & 0xFF;
      int t = TRANSITIONS[(state << 4) | (octet >>> 4)];
      if ((t & FAILS) != 0) {
        throw eos();
      }
      if ((t & EMITS) != 0) {
        out[n++] = (byte) (t >>> 8);
      }
      t = TRANSITIONS[((t & 0xFF) << 4) | (octet & 0xF)];
      if ((t & FAILS) != 0) {
        throw eos();
      }
      if ((t & EMITS) != 0) {
        out[n++] = (byte) (t >>> 8);
      }
      state = t & 0xFF;
    }
    if (!MAY_END[state]) {
      // RFC 7541 §5.2: padding longer than 7 bits, or not all ones, is a decoding error.
      throw new HpackException(
          HpackException.Reason.HUFFMAN_PADDING,
          "Huffman string padding is longer than 7 bits or not all ones");
    }
    return n;
  }

  private static HpackException eos() {
    // RFC 7541 §5.2: a string literal holding EOS is a decoding error.
    return new HpackException(HpackException.Reason.HUFFMAN_EOS, "Huffman string holds EOS");
  }

  private static int octet(String s, int i) {
    char c = s.charAt(i);
    if (c > 0xFF) {
      throw new IllegalArgumentException(
          "char U+" + Integer.toHexString(c) + " at " + i + " is not an octet");
    }
    return c;
  }

  private static void buildAutomaton() {
    // The tree: children[node * 2 + bit] is an inner node (>= 0) or a leaf, ~symbol (< 0).
    int[] children = new int[INNER_NODES * 2];
    java.util.Arrays.fill(children, Integer.MIN_VALUE);
    int[] depth = new int[INNER_NODES];
    boolean[] allOnes = new boolean[INNER_NODES];
    allOnes[0] = true;
    int nodes = 1;
    for (int symbol = 0; symbol <= EOS; symbol++) {
      int node = 0;
      for (int b = LENGTHS[symbol] - 1; b >= 0; b--) {
        int bit = (CODES[symbol] >>> b) & 1;
        int slot = node * 2 + bit;
        if (b == 0) {
          children[slot] = ~symbol;
        } else {
          if (children[slot] == Integer.MIN_VALUE) {
            depth[nodes] = depth[node] + 1;
            allOnes[nodes] = allOnes[node] && bit == 1;
            children[slot] = nodes++;
          }
          node = children[slot];
        }
      }
    }
    if (nodes != INNER_NODES) {
      throw new AssertionError("Huffman tree has " + nodes + " inner nodes");
    }
    for (int state = 0; state < INNER_NODES; state++) {
      MAY_END[state] = allOnes[state] && depth[state] <= 7;
      for (int nibble = 0; nibble < 16; nibble++) {
        int node = state;
        int t = 0;
        for (int b = 3; b >= 0; b--) {
          int child = children[node * 2 + ((nibble >>> b) & 1)];
          if (child >= 0) {
            node = child;
          } else if (~child == EOS) {
            t |= FAILS;
            node = 0;
            break;
          } else {
            t |= EMITS | (~child << 8);
            node = 0;
          }
        }
        TRANSITIONS[(state << 4) | nibble] = t | node;
      }
    }
  }
}
