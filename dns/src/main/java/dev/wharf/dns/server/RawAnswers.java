package dev.wharf.dns.server;

import java.util.Arrays;

/**
 * Answers already written, by the octets of the query that made them: everything after the id up to
 * the OPT's options, the question's name in lower case. A plain query asked again (one question, no
 * answer or authority records, at most one additional: the OPT) is answered by a copy with the
 * query's id and its spelling of the name, without parsing it or allocating anything: NSD answers
 * its precompiled answers as cheaply. Everything that can change an answer (flags, the question,
 * EDNS's payload size, version and DO) is in the key, so a hit is the answer {@link DnsServer}
 * would write, octet for octet. EDNS options are not: {@link Authority} answers none of them, and a
 * COOKIE (RFC 7873), which dig and resolvers send new for every query, would otherwise make every
 * query a miss; their framing is checked as the parser checks it.
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
   * Where the key of a plain query ends: after the question when there is no OPT, else after the
   * OPT's TTL (extended RCODE, version, DO), its options left out; -1 when what follows the name is
   * not exactly a type, a class and at most one well-framed OPT (the parser's FORMERR cases, which
   * go the long way). {@code nameEnd} is what {@link #nameEnd} said.
   */
  static int keyEnd(byte[] query, int length, int nameEnd) {
    int at = nameEnd + 4; // QTYPE, QCLASS
    if (query[11] == 0) {
      return at == length ? at : -1;
    }
    // RFC 6891 §6.1.2: the root as owner, TYPE 41, CLASS (the payload size), TTL, RDLEN, options.
    if (at + 11 > length || query[at] != 0 || query[at + 1] != 0 || query[at + 2] != 41) {
      return -1;
    }
    int keyEnd = at + 9;
    int optionsEnd = at + 11 + u16(query, at + 9);
    if (optionsEnd != length) {
      return -1;
    }
    // RFC 6891 §6.1.2: each option a code, a length and that many octets, filling RDATA exactly.
    for (int option = at + 11; option < optionsEnd; ) {
      if (option + 4 > optionsEnd) {
        return -1;
      }
      option += 4 + u16(query, option + 2);
      if (option > optionsEnd) {
        return -1;
      }
    }
    return keyEnd;
  }

  /**
   * Writes the answer to {@code query} into {@code out} and returns its length, or -1 when none was
   * kept for it. {@code nameEnd} and {@code keyEnd} are what {@link #nameEnd} and {@link #keyEnd}
   * said.
   */
  int answer(byte[] query, int keyEnd, int nameEnd, byte[] out) {
    int hash = hash(query, keyEnd, nameEnd);
    for (int slot = hash & (SLOTS - 1); keys[slot] != null; slot = (slot + 1) & (SLOTS - 1)) {
      if (hashes[slot] == hash && matches(keys[slot], query, keyEnd, nameEnd)) {
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
  void keep(byte[] query, int keyEnd, int nameEnd, byte[] answer) {
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
    int hash = hash(query, keyEnd, nameEnd);
    int slot = hash & (SLOTS - 1);
    while (keys[slot] != null) {
      if (hashes[slot] == hash && matches(keys[slot], query, keyEnd, nameEnd)) {
        return; // kept already
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
    byte[] key = Arrays.copyOfRange(query, ID_LENGTH, keyEnd);
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

  private static int u16(byte[] bytes, int at) {
    return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
  }

  private static int hash(byte[] query, int keyEnd, int nameEnd) {
    int hash = 1;
    for (int i = ID_LENGTH; i < keyEnd; i++) {
      byte b = query[i];
      hash = 31 * hash + (i >= HEADER_LENGTH && i < nameEnd ? lower(b) : b);
    }
    return hash ^ (hash >>> 16);
  }

  private static boolean matches(byte[] key, byte[] query, int keyEnd, int nameEnd) {
    if (key.length != keyEnd - ID_LENGTH) {
      return false;
    }
    for (int i = ID_LENGTH; i < keyEnd; i++) {
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
