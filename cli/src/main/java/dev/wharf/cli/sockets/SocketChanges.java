package dev.wharf.cli.sockets;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two listings of the same machine's sockets: which appeared, which changed
 * state, which vanished. A socket is known by its kind and both ends (for a Unix socket these name
 * its inode too), as ss's lines are; a TCP connection keeps that name from SYN-SENT to TIME-WAIT.
 * Immutable; any thread.
 *
 * @param current the later listing, each socket with how it changed
 * @param vanished the sockets of the earlier listing that the later one lacks, as they were last
 */
record SocketChanges(List<Marked> current, List<SocketEntry> vanished) {

  /** What names a socket across listings. */
  record Key(SocketKind kind, Endpoint local, Endpoint peer) {
    static Key of(SocketEntry socket) {
      return new Key(socket.kind(), socket.local(), socket.peer());
    }
  }

  /** How one socket of the later listing differs from the earlier. */
  enum Change {
    SAME,
    APPEARED,
    STATE_CHANGED
  }

  /**
   * A socket of the later listing and how it changed.
   *
   * @param before its state in the earlier listing, or null when it appeared
   */
  record Marked(SocketEntry socket, Change change, SocketState before) {}

  SocketChanges {
    current = List.copyOf(current);
    vanished = List.copyOf(vanished);
  }

  /** The sockets of a listing by name; the first of two with one name wins. */
  static Map<Key, SocketEntry> byKey(List<SocketEntry> sockets) {
    var map = new LinkedHashMap<Key, SocketEntry>(sockets.size() * 2);
    for (SocketEntry socket : sockets) {
      map.putIfAbsent(Key.of(socket), socket);
    }
    return map;
  }

  /** From {@code before} to {@code after}; the later order is kept, vanished ones in theirs. */
  static SocketChanges between(Map<Key, SocketEntry> before, Map<Key, SocketEntry> after) {
    var current = new ArrayList<Marked>(after.size());
    for (var entry : after.entrySet()) {
      SocketEntry was = before.get(entry.getKey());
      SocketEntry now = entry.getValue();
      if (was == null) {
        current.add(new Marked(now, Change.APPEARED, null));
      } else if (was.state() != now.state()) {
        current.add(new Marked(now, Change.STATE_CHANGED, was.state()));
      } else {
        current.add(new Marked(now, Change.SAME, was.state()));
      }
    }
    var vanished = new ArrayList<SocketEntry>();
    for (var entry : before.entrySet()) {
      if (!after.containsKey(entry.getKey())) {
        vanished.add(entry.getValue());
      }
    }
    return new SocketChanges(current, vanished);
  }
}
