package dev.wharf.cli.sockets;

import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Sockets as aligned columns, ss's: {@code Netid State Recv-Q Send-Q Local Peer}, then a column
 * each for the owners ({@code -p}, Process), the timer ({@code -o}, Timer), uid and inode ({@code
 * -e}, Uid and Inode), and under {@code -i} the TCP details on an indented line of their own. Each
 * optional column has a title of its own, so the header lines up with its cells whichever are asked
 * for. Not thread-safe; one per listing.
 */
final class SocketTable {
  private static final String[] BASE = {
    "Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port"
  };

  /** Columns from here on are text cells kept per row; the first four come from the entry. */
  private static final int FIRST_TEXT = 4;

  /** Text is handed to the writer in pieces about this long: few calls, little held. */
  private static final int PIECE = 32 * 1024;

  private final SocketText text;
  private final boolean owners;
  private final boolean timers;
  private final boolean extended;
  private final boolean tcpInfo;
  private final String[] titles;

  SocketTable(SocketText text, boolean owners, boolean timers, boolean extended, boolean tcpInfo) {
    this.text = text;
    this.owners = owners;
    this.timers = timers;
    this.extended = extended;
    this.tcpInfo = tcpInfo;
    var titles = new ArrayList<>(List.of(BASE));
    if (owners) {
      titles.add("Process");
    }
    if (timers) {
      titles.add("Timer");
    }
    if (extended) {
      titles.add("Uid");
      titles.add("Inode");
    }
    this.titles = titles.toArray(String[]::new);
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
   *
   * <p>Two passes: the first makes the text cells and measures every column, the second writes each
   * line into one builder. A command lists tens of thousands of sockets in a JVM that has just
   * started, mostly interpreting: what costs is the work per row (strings made and copied, calls),
   * so each row makes only the cells that are shown and is copied once.
   */
  void write(
      List<SocketEntry> sockets,
      List<Mark> marks,
      boolean colour,
      boolean header,
      PrintWriter out) {
    int columns = titles.length;
    int textColumns = columns - FIRST_TEXT;
    int rows = sockets.size();
    var cells = new String[rows * textColumns];
    int[] widths = new int[columns];
    if (header) {
      for (int c = 0; c < columns; c++) {
        widths[c] = titles[c].length();
      }
    }
    for (int r = 0; r < rows; r++) {
      measure(sockets.get(r), cells, r * textColumns, widths);
    }

    var page = new StringBuilder(PIECE + 512);
    if (header) {
      if (marks != null) {
        page.append("  ");
      }
      for (int c = 0; c < columns; c++) {
        boolean right = c == 2 || c == 3;
        cell(page, titles[c], widths[c], right, c == columns - 1);
      }
      page.append('\n');
    }
    for (int r = 0; r < rows; r++) {
      Mark mark = marks == null ? null : marks.get(r);
      row(page, sockets.get(r), mark, colour, cells, r * textColumns, widths);
      if (page.length() >= PIECE) {
        out.append(page);
        page.setLength(0);
      }
    }
    out.append(page);
  }

  /**
   * Makes the text cells of {@code socket} into {@code cells} from {@code at} and widens {@code
   * widths} to fit its row. A method of its own, as {@link #row} is: the JVM compiles a method
   * after some hundreds of calls, but a loop's body only after tens of thousands of turns, more
   * than most listings have, so a loop that did the work itself would run interpreted throughout.
   */
  private void measure(SocketEntry socket, String[] cells, int at, int[] widths) {
    cells[at] = text.endpoint(socket.kind(), socket.local());
    cells[at + 1] = text.endpoint(socket.kind(), socket.peer());
    int next = at + 2;
    if (owners) {
      cells[next++] = SocketText.owners(socket);
    }
    if (timers) {
      cells[next++] = SocketText.timer(socket);
    }
    if (extended) {
      cells[next++] = socket.uid() >= 0 ? "uid:" + socket.uid() : "";
      cells[next] = "ino:" + socket.inode();
    }
    widths[0] = Math.max(widths[0], socket.kind().netid().length());
    widths[1] = Math.max(widths[1], socket.state().ssName().length());
    widths[2] = Math.max(widths[2], digits(socket.receiveQueue()));
    widths[3] = Math.max(widths[3], digits(socket.sendQueue()));
    for (int c = FIRST_TEXT; c < widths.length; c++) {
      widths[c] = Math.max(widths[c], cells[at + c - FIRST_TEXT].length());
    }
  }

  /**
   * Appends the line of {@code socket} (marked with {@code mark} unless null), and its {@code
   * tcp_info} line under {@code -i}.
   */
  private void row(
      StringBuilder page,
      SocketEntry socket,
      Mark mark,
      boolean colour,
      String[] cells,
      int at,
      int[] widths) {
    boolean coloured = colour && mark != null && !mark.colour.isEmpty();
    if (coloured) {
      page.append("\u001b[").append(mark.colour).append('m');
    }
    if (mark != null) {
      page.append(mark.sign).append(' ');
    }
    // Empty cells at the end of a line are left out, and the last one shown is not padded.
    int last = widths.length - 1;
    while (last >= FIRST_TEXT && cells[at + last - FIRST_TEXT].isEmpty()) {
      last--;
    }
    cell(page, socket.kind().netid(), widths[0], false, false);
    cell(page, socket.state().ssName(), widths[1], false, false);
    number(page, socket.receiveQueue(), widths[2]);
    number(page, socket.sendQueue(), widths[3]);
    for (int c = FIRST_TEXT; c <= last; c++) {
      cell(page, cells[at + c - FIRST_TEXT], widths[c], false, c == last);
    }
    if (coloured) {
      page.append("\u001b[0m");
    }
    page.append('\n');
    // A listener's tcp_info is all zeroes but the initial window: ss shows little of it either.
    if (tcpInfo && socket.state() != SocketState.LISTEN && socket.tcpInfo().isPresent()) {
      page.append("\t ").append(SocketText.tcpInfo(socket.tcpInfo().get())).append('\n');
    }
  }

  /** One cell and the two spaces after it; padded to {@code width} unless it ends the line. */
  private static void cell(StringBuilder line, String cell, int width, boolean right, boolean end) {
    if (right) {
      pad(line, width - cell.length());
    }
    line.append(cell);
    if (end) {
      return;
    }
    if (!right) {
      pad(line, width - cell.length());
    }
    line.append("  ");
  }

  /** A right-aligned number (Recv-Q, Send-Q) and the two spaces after it. */
  private static void number(StringBuilder line, long value, int width) {
    pad(line, width - digits(value));
    line.append(value).append("  ");
  }

  private static void pad(StringBuilder line, int spaces) {
    for (int i = 0; i < spaces; i++) {
      line.append(' ');
    }
  }

  /** How many characters {@code value} (never negative: a queue) takes in decimal. */
  static int digits(long value) {
    int digits = 1;
    while (value >= 10) {
      value /= 10;
      digits++;
    }
    return digits;
  }
}
