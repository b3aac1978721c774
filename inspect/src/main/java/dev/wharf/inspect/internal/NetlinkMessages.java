package dev.wharf.inspect.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The netlink framing (RFC 3549 §2.3.2, {@code <linux/netlink.h>}): the {@code nlmsghdr} that heads
 * every message and the {@code rtattr} attributes that follow a fixed body, both 4-byte aligned, in
 * the host's byte order. Stateless; any thread.
 */
final class NetlinkMessages {
  private NetlinkMessages() {}

  static final StructLayout NLMSGHDR =
      MemoryLayout.structLayout(
          JAVA_INT.withName("nlmsg_len"),
          JAVA_SHORT.withName("nlmsg_type"),
          JAVA_SHORT.withName("nlmsg_flags"),
          JAVA_INT.withName("nlmsg_seq"),
          JAVA_INT.withName("nlmsg_pid"));

  static final int HEADER_SIZE = (int) NLMSGHDR.byteSize();
  static final int LENGTH = offset(NLMSGHDR, "nlmsg_len");
  static final int TYPE = offset(NLMSGHDR, "nlmsg_type");
  static final int FLAGS = offset(NLMSGHDR, "nlmsg_flags");
  static final int SEQ = offset(NLMSGHDR, "nlmsg_seq");

  static final short NLMSG_ERROR = 2;
  static final short NLMSG_DONE = 3;
  static final short NLM_F_REQUEST = 0x1;
  static final short NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH

  /** {@code struct rtattr}: a 2-byte length (header included) and a 2-byte type. */
  static final StructLayout RTATTR =
      MemoryLayout.structLayout(JAVA_SHORT.withName("rta_len"), JAVA_SHORT.withName("rta_type"));

  private static final int RTA_LEN = offset(RTATTR, "rta_len");
  private static final int RTA_TYPE = offset(RTATTR, "rta_type");

  /** Where {@code field} lies in {@code layout}: what the parsers read at. */
  static int offset(StructLayout layout, String field) {
    return Math.toIntExact(layout.byteOffset(MemoryLayout.PathElement.groupElement(field)));
  }

  /** {@code NLMSG_ALIGN}/{@code RTA_ALIGN}: lengths round up to 4 bytes. */
  static long align(long length) {
    return (length + 3) & ~3L;
  }

  /** What to do with each message of a dump. */
  interface Handler {
    void message(ByteBuffer payload) throws IOException;
  }

  /** Something the kernel answered with an error ({@code NLMSG_ERROR}, or a failed dump's end). */
  static final class NetlinkError extends IOException {
    private static final long serialVersionUID = 1L;
    final int errno;

    NetlinkError(int errno, String what) {
      super(what + ": the kernel answered errno " + errno);
      this.errno = errno;
    }
  }

  /**
   * Reads the answer to the dump request {@code seq} to its {@code NLMSG_DONE}, giving the payload
   * of each message of {@code type} to {@code handler}.
   *
   * @throws NetlinkError when the kernel refused the request
   * @throws IOException when the answer is malformed or cannot be read
   */
  static void readDump(NetlinkSocket socket, int seq, short type, String what, Handler handler)
      throws IOException {
    byte[] copy = new byte[NetlinkSocket.RECEIVE_BUFFER];
    // Bounded by the kernel: a dump ends with NLMSG_DONE or an error; both return.
    while (true) {
      // Read through a heap ByteBuffer at the layouts' offsets: cold, as a command runs, the JVM
      // reads it several times faster than through a segment's var handles.
      MemorySegment received = socket.receive();
      int size = (int) received.byteSize();
      MemorySegment.copy(received, JAVA_BYTE, 0, copy, 0, size);
      ByteBuffer datagram = ByteBuffer.wrap(copy, 0, size).order(ByteOrder.nativeOrder());
      if (size == 0) {
        throw new IOException(what + ": netlink closed before the end of the dump");
      }
      int at = 0;
      while (at + HEADER_SIZE <= size) {
        at = message(datagram, at, seq, type, what, handler);
        if (at < 0) {
          return;
        }
      }
    }
  }

  /**
   * Handles the message at {@code at} of {@code datagram}; returns where the next one starts, or -1
   * when it ended the dump. A method of its own: the JVM compiles it after some hundreds of calls,
   * where the loop that calls it once a socket would run interpreted for tens of thousands of
   * turns.
   */
  private static int message(
      ByteBuffer datagram, int at, int seq, short type, String what, Handler handler)
      throws IOException {
    int size = datagram.limit();
    long length = Integer.toUnsignedLong(datagram.getInt(at + LENGTH));
    if (length < HEADER_SIZE || at + length > size) {
      throw new IOException(what + ": malformed netlink message of " + length + " bytes at " + at);
    }
    short messageType = datagram.getShort(at + TYPE);
    int messageSeq = datagram.getInt(at + SEQ);
    int next = at + (int) align(length);
    if (messageSeq != seq) {
      return next; // a late answer to an earlier request: not ours
    }
    ByteBuffer payload = slice(datagram, at + HEADER_SIZE, (int) length - HEADER_SIZE);
    switch (messageType) {
      case NLMSG_DONE -> {
        // Since Linux 4.x NLMSG_DONE carries the dump's result: negative is an errno.
        if (payload.limit() >= 4 && payload.getInt(0) < 0) {
          throw new NetlinkError(-payload.getInt(0), what);
        }
        return -1;
      }
      case NLMSG_ERROR -> {
        int error = payload.limit() >= 4 ? payload.getInt(0) : 0;
        if (error != 0) {
          throw new NetlinkError(-error, what);
        }
      }
      default -> {
        if (messageType == type) {
          handler.message(payload);
        }
      }
    }
    return next;
  }

  /** Calls {@code visitor} with the type and data of each attribute in {@code attributes}. */
  static void forEachAttribute(ByteBuffer attributes, AttributeVisitor visitor) {
    int header = (int) RTATTR.byteSize();
    int at = 0;
    int size = attributes.limit();
    while (at + header <= size) {
      int length = Short.toUnsignedInt(attributes.getShort(at + RTA_LEN));
      int type = Short.toUnsignedInt(attributes.getShort(at + RTA_TYPE));
      if (length < header || at + length > size) {
        return; // a truncated attribute ends the list, as the kernel's own parser treats it
      }
      visitor.attribute(type, slice(attributes, at + header, length - header));
      at += (int) align(length);
    }
  }

  /** {@code length} bytes of {@code buffer} from {@code from}, in the host's byte order. */
  static ByteBuffer slice(ByteBuffer buffer, int from, int length) {
    return buffer.slice(from, length).order(ByteOrder.nativeOrder());
  }

  /** What follows a fixed body of {@code bodySize} bytes: its attributes, 4-byte aligned. */
  static ByteBuffer after(ByteBuffer buffer, long bodySize) {
    int from = (int) Math.min(align(bodySize), buffer.limit());
    return slice(buffer, from, buffer.limit() - from);
  }

  static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.limit()];
    buffer.get(0, bytes);
    return bytes;
  }

  /** Receives one attribute. */
  interface AttributeVisitor {
    void attribute(int type, ByteBuffer data);
  }
}
