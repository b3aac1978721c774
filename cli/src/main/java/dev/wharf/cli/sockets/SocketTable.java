package dev.wharf.cli.sockets;

import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Sockets as aligned columns, ss's: {@code Netid State Recv-Q Send-Q Local Peer}, then the owners
 * ({@code -p}), the timer ({@code -o}), inode and uid ({@code -e}), and under {@code -i} the TCP
 * details on an indented line of their own. Not thread-safe; one per listing.
 */
final class SocketTable {
  private static final String[] HEADER = {
    "Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", ""
  };
  private static final boolean[] RIGHT = {false, false, true, true, false, false, false};

  private final SocketText text;
  private final boolean owners;
  private final boolean timers;
  private final boolean extended;
  private final boolean tcpInfo;

  SocketTable(SocketText text, boolean owners, boolean timers, boolean extended, boolean tcpInfo) {
    this.text = text;
    this.owners = owners;
    this.timers = timers;
    this.extended = extended;
    this.tcpInfo = tcpInfo;
  }

  /**
   * How {@code --watch} marks a socket: a sign in a first column and, on a terminal, a colour (an
   * ANSI SGR code).
   */
  enum Mark {
    NONE(" ", ""),
    APPEARED("+", "32"),
    STATE_CHANGED("~", "33"),
    VANISHED("-", "31");

    final String sign;
    final String colour;

    Mark(String sign, String colour) {
      this.sign = sign;
      this.colour = colour;
    }
  }

  /** Writes {@code sockets}, with the header line unless {@code header} is false. */
  void write(List<SocketEntry> sockets, boolean header, PrintWriter out) {
    write(sockets, null, false, header, out);
  }

  /**
   * Writes {@code sockets}, each marked as {@code marks} says (null: no mark column), in colour
   * when {@code colour}.
   */
  void write(
      List<SocketEntry> sockets,
      List<Mark> marks,
      boolean colour,
      boolean header,
      PrintWriter out) {
    var rows = new ArrayList<String[]>(sockets.size() + 1);
    if (header) {
      String[] first = HEADER.clone();
      first[6] = details("Process", "Timer", "Uid Inode");
      rows.add(first);
    }
    for (SocketEntry socket : sockets) {
      rows.add(
          new String[] {
            socket.kind().netid(),
            socket.state().ssName(),
            Long.toString(socket.receiveQueue()),
            Long.toString(socket.sendQueue()),
            text.endpoint(socket.kind(), socket.local()),
            text.endpoint(socket.kind(), socket.peer()),
            details(
                SocketText.owners(socket), SocketText.timer(socket), SocketText.extended(socket))
          });
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      int index = header ? r - 1 : r;
      Mark mark = marks == null || index < 0 ? Mark.NONE : marks.get(index);
      var line = new StringBuilder();
      if (marks != null) {
        line.append(mark.sign).append(' ');
      }
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          line.append("  ");
        }
        String pad = " ".repeat(widths[i] - row[i].length());
        line.append(RIGHT[i] ? pad + row[i] : row[i] + (i == row.length - 1 ? "" : pad));
      }
      String text = line.toString().stripTrailing();
      out.println(
          colour && !mark.colour.isEmpty()
              ? "\u001b[" + mark.colour + "m" + text + "\u001b[0m"
              : text);
      // A listener's tcp_info is all zeroes but the initial window: ss shows little of it either.
      if (tcpInfo && index >= 0 && sockets.get(index).state() != SocketState.LISTEN) {
        sockets
            .get(index)
            .tcpInfo()
            .ifPresent(info -> out.println("\t " + SocketText.tcpInfo(info)));
      }
    }
  }

  private String details(String ownerText, String timerText, String extendedText) {
    var parts = new ArrayList<String>(3);
    if (owners && !ownerText.isEmpty()) {
      parts.add(ownerText);
    }
    if (timers && !timerText.isEmpty()) {
      parts.add(timerText);
    }
    if (extended && !extendedText.isEmpty()) {
      parts.add(extendedText);
    }
    return String.join(" ", parts);
  }
}
