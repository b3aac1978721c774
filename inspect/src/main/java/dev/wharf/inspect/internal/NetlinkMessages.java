package dev.wharf.inspect.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

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

  static final long HEADER_SIZE = NLMSGHDR.byteSize();
  static final long LENGTH = offset(NLMSGHDR, "nlmsg_len");
  static final long TYPE = offset(NLMSGHDR, "nlmsg_type");
  static final long FLAGS = offset(NLMSGHDR, "nlmsg_flags");
  static final long SEQ = offset(NLMSGHDR, "nlmsg_seq");

  static final short NLMSG_ERROR = 2;
  static final short NLMSG_DONE = 3;
  static final short NLM_F_REQUEST = 0x1;
  static final short NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH

  /** {@code struct rtattr}: a 2-byte length (header included) and a 2-byte type. */
  static final StructLayout RTATTR =
      MemoryLayout.structLayout(JAVA_SHORT.withName("rta_len"), JAVA_SHORT.withName("rta_type"));

  static long offset(StructLayout layout, String field) {
    return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
  }

  /** {@code NLMSG_ALIGN}/{@code RTA_ALIGN}: lengths round up to 4 bytes. */
  static long align(long length) {
    return (length + 3) & ~3L;
  }

  /** What to do with each message of a dump. */
  interface Handler {
    void message(MemorySegment payload) throws IOException;
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
    // Bounded by the kernel: a dump ends with NLMSG_DONE or an error; both return.
    while (true) {
      MemorySegment datagram = socket.receive();
      long size = datagram.byteSize();
      if (size == 0) {
        throw new IOException(what + ": netlink closed before the end of the dump");
      }
      long at = 0;
      while (at + HEADER_SIZE <= size) {
        long length = Integer.toUnsignedLong(datagram.get(JAVA_INT_UNALIGNED, at + LENGTH));
        if (length < HEADER_SIZE || at + length > size) {
          throw new IOException(
              what + ": malformed netlink message of " + length + " bytes at " + at);
        }
        short messageType = datagram.get(JAVA_SHORT_UNALIGNED, at + TYPE);
        int messageSeq = datagram.get(JAVA_INT_UNALIGNED, at + SEQ);
        MemorySegment payload = datagram.asSlice(at + HEADER_SIZE, length - HEADER_SIZE);
        at += align(length);
        if (messageSeq != seq) {
          continue; // a late answer to an earlier request: not ours
        }
        switch (messageType) {
          case NLMSG_DONE -> {
            // Since Linux 4.x NLMSG_DONE carries the dump's result: negative is an errno.
            if (payload.byteSize() >= 4 && payload.get(JAVA_INT_UNALIGNED, 0) < 0) {
              throw new NetlinkError(-payload.get(JAVA_INT_UNALIGNED, 0), what);
            }
            return;
          }
          case NLMSG_ERROR -> {
            int error = payload.byteSize() >= 4 ? payload.get(JAVA_INT_UNALIGNED, 0) : 0;
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
      }
    }
  }

  /** Calls {@code visitor} with the type and data of each attribute in {@code attributes}. */
  static void forEachAttribute(MemorySegment attributes, AttributeVisitor visitor) {
    long at = 0;
    long size = attributes.byteSize();
    while (at + RTATTR.byteSize() <= size) {
      int length = Short.toUnsignedInt(attributes.get(JAVA_SHORT_UNALIGNED, at));
      int type = Short.toUnsignedInt(attributes.get(JAVA_SHORT_UNALIGNED, at + 2));
      if (length < RTATTR.byteSize() || at + length > size) {
        return; // a truncated attribute ends the list, as the kernel's own parser treats it
      }
      visitor.attribute(
          type, attributes.asSlice(at + RTATTR.byteSize(), length - RTATTR.byteSize()));
      at += align(length);
    }
  }

  /** Receives one attribute. */
  interface AttributeVisitor {
    void attribute(int type, MemorySegment data);
  }
}
