package dev.wharf.inspect.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code unix_diag} request and answer ({@code <linux/unix_diag.h>}): {@code unix_diag_req}
 * asks for Unix sockets in a set of states with their name, peer, queues and owner's uid; {@code
 * unix_diag_msg} and its attributes describe one. Stateless; any thread.
 */
final class UnixDiag {
  private UnixDiag() {}

  private static final byte AF_UNIX = 1;
  private static final int UDIAG_SHOW_NAME = 0x01;
  private static final int UDIAG_SHOW_PEER = 0x04;
  private static final int UDIAG_SHOW_RQLEN = 0x10;
  private static final int UDIAG_SHOW_UID = 0x40;
  private static final int UNIX_DIAG_NAME = 0;
  private static final int UNIX_DIAG_PEER = 2;
  private static final int UNIX_DIAG_RQLEN = 4;
  private static final int UNIX_DIAG_UID = 7;

  static final StructLayout REQUEST =
      MemoryLayout.structLayout(
          JAVA_BYTE.withName("sdiag_family"),
          JAVA_BYTE.withName("sdiag_protocol"),
          JAVA_SHORT.withName("pad"),
          JAVA_INT.withName("udiag_states"),
          JAVA_INT.withName("udiag_ino"),
          JAVA_INT.withName("udiag_show"),
          MemoryLayout.sequenceLayout(2, JAVA_INT).withName("udiag_cookie"));

  static final StructLayout MESSAGE =
      MemoryLayout.structLayout(
          JAVA_BYTE.withName("udiag_family"),
          JAVA_BYTE.withName("udiag_type"),
          JAVA_BYTE.withName("udiag_state"),
          JAVA_BYTE.withName("pad"),
          JAVA_INT.withName("udiag_ino"),
          MemoryLayout.sequenceLayout(2, JAVA_INT).withName("udiag_cookie"));

  private static final int TYPE = NetlinkMessages.offset(MESSAGE, "udiag_type");
  private static final int STATE = NetlinkMessages.offset(MESSAGE, "udiag_state");
  private static final int INODE = NetlinkMessages.offset(MESSAGE, "udiag_ino");

  /** One Unix socket as read, its peer known only by inode until every name is known. */
  record Raw(SocketEntry entry, long peerInode) {}

  /** A dump request, {@code nlmsghdr} included, for Unix sockets in {@code stateMask}. */
  static MemorySegment request(Arena arena, int seq, int stateMask) {
    long size = NetlinkMessages.HEADER_SIZE + REQUEST.byteSize();
    MemorySegment message = arena.allocate(size, 8);
    message.set(JAVA_INT, NetlinkMessages.LENGTH, (int) size);
    message.set(JAVA_SHORT, NetlinkMessages.TYPE, InetDiag.SOCK_DIAG_BY_FAMILY);
    message.set(
        JAVA_SHORT,
        NetlinkMessages.FLAGS,
        (short) (NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_DUMP));
    message.set(JAVA_INT, NetlinkMessages.SEQ, seq);
    MemorySegment body = message.asSlice(NetlinkMessages.HEADER_SIZE);
    body.set(JAVA_BYTE, NetlinkMessages.offset(REQUEST, "sdiag_family"), AF_UNIX);
    body.set(JAVA_INT, NetlinkMessages.offset(REQUEST, "udiag_states"), stateMask);
    body.set(
        JAVA_INT,
        NetlinkMessages.offset(REQUEST, "udiag_show"),
        UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID);
    return message;
  }

  /** The socket one {@code unix_diag_msg} describes, if its type and state are known. */
  static Optional<Raw> parse(ByteBuffer payload) {
    if (payload.limit() < MESSAGE.byteSize()) {
      return Optional.empty();
    }
    Optional<SocketKind> kind = kind(Byte.toUnsignedInt(payload.get(TYPE)));
    Optional<SocketState> state = SocketState.ofCode(Byte.toUnsignedInt(payload.get(STATE)));
    if (kind.isEmpty() || state.isEmpty()) {
      return Optional.empty();
    }
    long inode = Integer.toUnsignedLong(payload.getInt(INODE));
    var found =
        new Object() {
          String name = "";
          long peer;
          long receiveQueue;
          long sendQueue;
          int uid = -1;
        };
    NetlinkMessages.forEachAttribute(
        NetlinkMessages.after(payload, MESSAGE.byteSize()),
        (type, data) -> {
          switch (type) {
            case UNIX_DIAG_NAME -> found.name = name(NetlinkMessages.bytes(data));
            case UNIX_DIAG_PEER -> found.peer = u32(data, 0);
            case UNIX_DIAG_RQLEN -> {
              found.receiveQueue = u32(data, 0);
              found.sendQueue = u32(data, 4);
            }
            case UNIX_DIAG_UID -> found.uid = (int) u32(data, 0);
            default -> {}
          }
        });
    var entry =
        new SocketEntry(
            kind.get(),
            SocketFamily.UNIX,
            state.get(),
            new Endpoint.Unix(found.name, inode),
            new Endpoint.Unix("", found.peer),
            found.receiveQueue,
            found.sendQueue,
            inode,
            found.uid,
            Optional.empty(),
            Optional.empty(),
            List.of());
    return Optional.of(new Raw(entry, found.peer));
  }

  /**
   * The sockets with each peer named by its own name, as ss shows it: the kernel tells a peer's
   * inode only.
   */
  static List<SocketEntry> withPeerNames(List<Raw> sockets) {
    Map<Long, String> names = new HashMap<>();
    for (Raw socket : sockets) {
      names.put(socket.entry().inode(), ((Endpoint.Unix) socket.entry().local()).name());
    }
    var named = new ArrayList<SocketEntry>(sockets.size());
    for (Raw socket : sockets) {
      String peerName = names.getOrDefault(socket.peerInode(), "");
      named.add(socket.entry().withPeer(new Endpoint.Unix(peerName, socket.peerInode())));
    }
    return named;
  }

  /** {@code sun_path}: a leading NUL makes an abstract name, which ss writes with {@code @}. */
  static String name(byte[] path) {
    if (path.length > 0 && path[0] == 0) {
      path = path.clone();
      path[0] = '@';
    }
    int end = path.length;
    if (end > 0 && path[0] != '@') {
      for (int i = 0; i < path.length; i++) {
        if (path[i] == 0) {
          end = i;
          break;
        }
      }
    }
    return new String(path, 0, end, StandardCharsets.UTF_8);
  }

  /** {@code SOCK_STREAM} 1, {@code SOCK_DGRAM} 2, {@code SOCK_SEQPACKET} 5. */
  static Optional<SocketKind> kind(int type) {
    return switch (type) {
      case 1 -> Optional.of(SocketKind.UNIX_STREAM);
      case 2 -> Optional.of(SocketKind.UNIX_DGRAM);
      case 5 -> Optional.of(SocketKind.UNIX_SEQPACKET);
      default -> Optional.empty();
    };
  }

  private static long u32(ByteBuffer data, int offset) {
    return offset + 4 <= data.limit() ? Integer.toUnsignedLong(data.getInt(offset)) : 0;
  }
}
