package dev.wharf.cli.sockets;

import dev.wharf.inspect.SocketEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code wharf sockets --watch}: the listing again every interval, as {@code watch ss} would show
 * it, with each socket that appeared, changed state or vanished since the last refresh marked
 * ({@code +}, {@code ~}, {@code -} in a first column) and, on a terminal, coloured (green, yellow,
 * red) and redrawn in place. Elsewhere (a pipe, a file) each refresh is a new table under a line
 * with its time, so the output reads as a log. Runs on the caller's thread until interrupted, or
 * for {@code count} refreshes.
 */
final class SocketWatch {
  private static final String CLEAR = "\u001b[H\u001b[2J";
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /** Lists the sockets to show, filtered. */
  @FunctionalInterface
  interface Sampler {
    List<SocketEntry> sample() throws IOException;
  }

  private final SocketTable table;
  private final boolean terminal;
  private final boolean header;
  private final Duration interval;
  private final String title;

  SocketWatch(
      SocketTable table, boolean terminal, boolean header, Duration interval, String title) {
    this.table = table;
    this.terminal = terminal;
    this.header = header;
    this.interval = interval;
    this.title = title;
  }

  /** Refreshes {@code count} times (0: until interrupted), {@code interval} apart. */
  void run(Sampler sampler, int count, PrintWriter out) throws IOException, InterruptedException {
    Map<SocketChanges.Key, SocketEntry> before = null;
    long next = System.nanoTime();
    for (int frame = 0; count == 0 || frame < count; frame++) {
      if (frame > 0) {
        next += interval.toNanos();
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(Duration.ofNanos(wait));
        } else {
          next = System.nanoTime(); // Listing took longer than the interval: no catching up.
        }
      }
      var after = SocketChanges.byKey(sampler.sample());
      draw(before == null ? null : SocketChanges.between(before, after), after, out);
      if (out.checkError()) {
        return; // Stdout closed (| head): nobody reads what follows.
      }
      before = after;
    }
  }

  /** One refresh; {@code changes} is null for the first, which marks nothing. */
  private void draw(
      SocketChanges changes, Map<SocketChanges.Key, SocketEntry> after, PrintWriter out) {
    var sockets = new ArrayList<SocketEntry>(after.size());
    var marks = new ArrayList<SocketTable.Mark>(after.size());
    if (changes == null) {
      sockets.addAll(after.values());
      after.values().forEach(socket -> marks.add(SocketTable.Mark.NONE));
    } else {
      for (SocketChanges.Marked marked : changes.current()) {
        sockets.add(marked.socket());
        marks.add(
            switch (marked.change()) {
              case SAME -> SocketTable.Mark.NONE;
              case APPEARED -> SocketTable.Mark.APPEARED;
              case STATE_CHANGED -> SocketTable.Mark.STATE_CHANGED;
            });
      }
      for (SocketEntry gone : changes.vanished()) {
        sockets.add(gone);
        marks.add(SocketTable.Mark.VANISHED);
      }
    }
    if (terminal) {
      out.print(CLEAR);
    } else if (changes != null) {
      out.println();
    }
    out.println(
        "Every "
            + SocketText.duration(interval.toMillis())
            + ": "
            + title
            + "    "
            + LocalDateTime.now().format(WHEN)
            + "    (+ appeared, ~ changed state, - vanished)");
    out.println();
    table.write(sockets, marks, terminal, header, out);
    out.flush();
  }
}
