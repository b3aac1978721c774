package dev.wharf.dns.server;

import java.util.Arrays;

/**
 * Answers already written, by the octets of the query that made them: everything after the id, the
 * question's name in lower case. A plain query asked again (one question, no answer or authority
 * records, at most one additional: the OPT) is answered by a copy with the query's id and its
 * spelling of the name, without parsing it or allocating anything: NSD answers its precompiled
 * answers as cheaply. Everything that can change an answer (flags, EDNS size, DO, options) is in
 * the key, so a hit is the answer {@link DnsServer} would write, octet for octet.
 *
 * <p>Open addressing over arrays, bounded: at {@value #MAX_ENTRIES} entries it starts again empty,
 * so a flood of ever-new names costs no more memory than that.
 *
 * <p>Not thread-safe: one per UDP receiving thread (a reload makes a new one with the zones).
 */
final class RawAnswers {
  static final int MAX_ENTRIES = 10_000;
  private static final int SLOTS = 1 << 15; // a power of two, at most a third full
  private static final int HEADER_LENGTH = 12;
  private static final int ID_LENGTH = 2;

  private final byte[][] keys = new byte[SLOTS][];
  private final byte[][] answers = new byte[SLOTS][];
  private final int[] hashes = new int[SLOTS];
  private int size;

  /**
   * Where the question's name ends in {@code query} (the offset after its root label), or -1 when
   * this is not a plain query with one question whose name this class can read without compression:
   * those go the long way, parsed.
   */
  static int nameEnd(byte[] query, int length) {
    // RFC 1035 §4.1.1: QR clear; QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 0 or 1 (an OPT).
    if (length < HEADER_LENGTH + 5
        || (query[2] & 0x80) != 0
        || query[4] != 0
        || query[5] != 1
        || (query[6] | query[7] | query[8] | query[9] | query[10]) != 0
        || (query[11] & 0xff) > 1) {
      return -1;
    }
    int at = HEADER_LENGTH;
    while (at < length) {
      int label = query[at] & 0xff;
      if (label == 0) {
        // RFC 1035 §3.1: at most 255 octets, the root's included.
        return at + 1 - HEADER_LENGTH <= 255 ? at + 1 : -1;
      }
      if (label > 63) {
        return -1; // a compression pointer or a reserved label type: not in a plain question
      }
      at += label + 1;
    }
    return -1;
  }

  /**
   * Writes the answer to {@code query} into {@code out} and returns its length, or -1 when none was
   * kept for it. {@code nameEnd} is what {@link #nameEnd} said.
   */
  int answer(byte[] query, int length, int nameEnd, byte[] out) {
    int hash = hash(query, length, nameEnd);
    for (int slot = hash & (SLOTS - 1); keys[slot] != null; slot = (slot + 1) & (SLOTS - 1)) {
      if (hashes[slot] == hash && matches(keys[slot], query, length, nameEnd)) {
        byte[] answer = answers[slot];
        if (answer.length > out.length) {
          return -1;
        }
        System.arraycopy(answer, 0, out, 0, answer.length);
        // The query's id, and its own spelling of the name ("0x20" clients check the case).
        out[0] = query[0];
        out[1] = query[1];
        System.arraycopy(query, HEADER_LENGTH, out, HEADER_LENGTH, nameEnd - HEADER_LENGTH);
        return answer.length;
      }
    }
    return -1;
  }

  /**
   * Keeps {@code answer} for queries like this one, when it starts with this question (a FORMERR
   * without it, or an answer it does not begin, is not kept: the copy could not be patched).
   */
  void keep(byte[] query, int length, int nameEnd, byte[] answer) {
    if (answer.length < nameEnd
        || answer[4] != 0
        || answer[5] != 1
        || !sameIgnoringCase(answer, query, HEADER_LENGTH, nameEnd)) {
      return;
    }
    if (size >= MAX_ENTRIES) {
      Arrays.fill(keys, null);
      Arrays.fill(answers, null);
      size = 0;
    }
    int hash = hash(query, length, nameEnd);
    int slot = hash & (SLOTS - 1);
    while (keys[slot] != null) {
      if (hashes[slot] == hash && matches(keys[slot], query, length, nameEnd)) {
        return; // kept already
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
    byte[] key = Arrays.copyOfRange(query, ID_LENGTH, length);
    for (int i = HEADER_LENGTH; i < nameEnd; i++) {
      key[i - ID_LENGTH] = lower(key[i - ID_LENGTH]);
    }
    keys[slot] = key;
    answers[slot] = answer.clone();
    hashes[slot] = hash;
    size++;
  }

  int size() {
    return size;
  }

  private static int hash(byte[] query, int length, int nameEnd) {
    int hash = 1;
    for (int i = ID_LENGTH; i < length; i++) {
      byte b = query[i];
      hash = 31 * hash + (i >= HEADER_LENGTH && i < nameEnd ? lower(b) : b);
    }
    return hash ^ (hash >>> 16);
  }

  private static boolean matches(byte[] key, byte[] query, int length, int nameEnd) {
    if (key.length != length - ID_LENGTH) {
      return false;
    }
    for (int i = ID_LENGTH; i < length; i++) {
      byte b = query[i];
      if (key[i - ID_LENGTH] != (i >= HEADER_LENGTH && i < nameEnd ? lower(b) : b)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameIgnoringCase(byte[] a, byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (lower(a[i]) != lower(b[i])) {
        return false;
      }
    }
    return true;
  }

  /** ASCII only (RFC 4343): label lengths (0-63) are never letters, so a whole name may go. */
  private static byte lower(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b | 0x20) : b;
  }
}
