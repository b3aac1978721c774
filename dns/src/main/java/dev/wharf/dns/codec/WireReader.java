package dev.wharf.dns.codec;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * A cursor over one whole message's octets that checks every read against the end it is given (the
 * message's, or a record's RDATA's) and reads compressed names (RFC 1035 §4.1.4). Every fault is a
 * {@link DnsFormatException} naming the offset.
 *
 * <p>Not thread-safe: one decode on one thread.
 */
final class WireReader {
  private static final int HEADER_SIZE = 12;

  private final byte[] message;
  private int position;
  private int limit;

  WireReader(byte[] message) {
    this.message = message;
    this.limit = message.length;
  }

  int position() {
    return position;
  }

  int limit() {
    return limit;
  }

  void limit(int value) {
    limit = value;
  }

  int remaining() {
    return limit - position;
  }

  private void need(int count, String what) {
    if (count > limit - position) {
      throw new DnsFormatException(
          (limit == message.length ? "message" : "record data")
              + " ends inside "
              + what
              + ": "
              + count
              + " octets needed, "
              + (limit - position)
              + " left",
          position);
    }
  }

  int u8(String what) {
    need(1, what);
    return message[position++] & 0xff;
  }

  int u16(String what) {
    need(2, what);
    int value = ((message[position] & 0xff) << 8) | (message[position + 1] & 0xff);
    position += 2;
    return value;
  }

  long u32(String what) {
    need(4, what);
    long value =
        ((long) (message[position] & 0xff) << 24)
            | ((message[position + 1] & 0xff) << 16)
            | ((message[position + 2] & 0xff) << 8)
            | (message[position + 3] & 0xff);
    position += 4;
    return value;
  }

  byte[] bytes(int count, String what) {
    need(count, what);
    byte[] out = Arrays.copyOfRange(message, position, position + count);
    position += count;
    return out;
  }

  /**
   * Reads a name at the cursor, following compression pointers. The part at the cursor must lie
   * within the current limit; pointers may reach anywhere earlier in the message.
   */
  DnsName name(String what) {
    var labels = new ArrayList<byte[]>();
    int wireLength = 1;
    int at = position;
    int end = limit;
    boolean jumped = false;
    // Each pointer must reach before the last place this name was read from (as BIND checks),
    // so a chain of pointers strictly descends and must end.
    int bound = position;
    while (true) {
      if (at >= end) {
        throw new DnsFormatException(
            (end == message.length ? "message" : "record data") + " ends inside " + what, at);
      }
      int length = message[at] & 0xff;
      int kind = length & 0xc0;
      if (kind == 0xc0) {
        if (at + 1 >= end) {
          throw new DnsFormatException("message ends inside a compression pointer in " + what, at);
        }
        int target = ((length & 0x3f) << 8) | (message[at + 1] & 0xff);
        // RFC 1035 §4.1.4: a pointer refers to a prior occurrence of the name, so it must point
        // backwards; one that points forwards, or back into what this name already read, loops.
        if (target > at) {
          throw new DnsFormatException(
              "compression pointer in " + what + " points forward to offset " + target, at);
        }
        if (target >= bound) {
          throw new DnsFormatException(
              "compression pointer loop in " + what + " (to offset " + target + ")", at);
        }
        bound = target;
        if (target < HEADER_SIZE) {
          throw new DnsFormatException(
              "compression pointer in " + what + " points into the header (offset " + target + ")",
              at);
        }
        if (!jumped) {
          position = at + 2;
          jumped = true;
        }
        at = target;
        // Whatever a pointer reaches was written before it, so it ends within the message.
        end = message.length;
        continue;
      }
      if (kind != 0) {
        // RFC 6891 §5 retired the extended label types (01 and 10) this would be.
        throw new DnsFormatException(
            "label type 0x" + Integer.toHexString(kind) + " in " + what + " is not defined", at);
      }
      if (length == 0) {
        if (!jumped) {
          position = at + 1;
        }
        return DnsName.of(labels);
      }
      // RFC 1035 §2.3.4: labels of 63 octets or less (the 6-bit length) and names of 255 or less.
      wireLength += 1 + length;
      if (wireLength > DnsName.MAX_WIRE_LENGTH) {
        throw new DnsFormatException(
            what + " is longer than " + DnsName.MAX_WIRE_LENGTH + " octets", at);
      }
      if (at + 1 + length > end) {
        throw new DnsFormatException(
            (end == message.length ? "message" : "record data") + " ends inside a label of " + what,
            at);
      }
      labels.add(Arrays.copyOfRange(message, at + 1, at + 1 + length));
      at += 1 + length;
    }
  }
}
