package dev.wharf.cli.sockets;

import dev.wharf.cli.Json;
import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketState;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code wharf sockets --follow PORT}: the story of each TCP socket on one port, local or peer, as
 * it happens: a line when one appears, each time its state changes, and when it is gone ({@code
 * SYN-SENT -> ESTAB}, ..., {@code TIME-WAIT -> gone}), with the time it was seen.
 *
 * <p>By sampling: the kernel offers no events for state changes over sock_diag (its multicast
 * groups tell only of sockets destroyed), so the port's sockets are listed every interval and
 * compared with the last listing. A state that lasts less than the interval can be missed (on
 * loopback a handshake takes microseconds); the order of what is seen is the order it happened.
 * Memory is bounded: only the last listing is kept, at most {@link #MAX_TRACKED} sockets of it.
 *
 * <p>Runs on the caller's thread until interrupted, or for {@code count} samples.
 */
final class SocketFollow {
  /** The most sockets of the port followed at once; a busier port is followed in part. */
  static final int MAX_TRACKED = 100_000;

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  private final int port;
  private final Duration interval;
  private final boolean json;
  private boolean toldTooMany;

  SocketFollow(int port, Duration interval, boolean json) {
    this.port = port;
    this.interval = interval;
    this.json = json;
  }

  /** Whether {@code socket} has the followed port at either end. */
  boolean onPort(SocketEntry socket) {
    return portOf(socket.local()) == port || portOf(socket.peer()) == port;
  }

  private static int portOf(Endpoint endpoint) {
    return endpoint instanceof Endpoint.Inet inet ? inet.port() : -1;
  }

  /**
   * Samples {@code count} times (0: until interrupted), {@code interval} apart, and writes each
   * change; the sockets there at the start are told as {@code present}.
   */
  void run(SocketWatch.Sampler sampler, int count, PrintWriter out, PrintWriter err)
      throws IOException, InterruptedException {
    Map<SocketChanges.Key, SocketEntry> before = null;
    long next = System.nanoTime();
    for (int sample = 0; count == 0 || sample < count; sample++) {
      if (sample > 0) {
        next += interval.toNanos();
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(Duration.ofNanos(wait));
        } else {
          next = System.nanoTime();
        }
      }
      List<SocketEntry> sockets = sampler.sample();
      Instant seen = Instant.now();
      var after = SocketChanges.byKey(bounded(sockets, err));
      if (before == null) {
        for (SocketEntry socket : after.values()) {
          write(seen, "present", socket, null, socket.state(), out);
        }
      } else {
        SocketChanges changes = SocketChanges.between(before, after);
        for (SocketEntry gone : changes.vanished()) {
          write(seen, "gone", gone, gone.state(), null, out);
        }
        for (SocketChanges.Marked marked : changes.current()) {
          switch (marked.change()) {
            case APPEARED ->
                write(seen, "new", marked.socket(), null, marked.socket().state(), out);
            case STATE_CHANGED ->
                write(
                    seen, "change", marked.socket(), marked.before(), marked.socket().state(), out);
            case SAME -> {}
          }
        }
      }
      out.flush();
      if (out.checkError()) {
        return; // Stdout closed (| head): nobody reads what follows.
      }
      before = after;
    }
  }

  private List<SocketEntry> bounded(List<SocketEntry> sockets, PrintWriter err) {
    if (sockets.size() <= MAX_TRACKED) {
      return sockets;
    }
    if (!toldTooMany) {
      toldTooMany = true;
      err.println(
          "wharf sockets: more than "
              + MAX_TRACKED
              + " sockets on port "
              + port
              + "; following the first "
              + MAX_TRACKED
              + " of each listing");
      err.flush();
    }
    return new ArrayList<>(sockets.subList(0, MAX_TRACKED));
  }

  /** One event: {@code from} null when the socket is new or present, {@code to} null when gone. */
  private void write(
      Instant seen,
      String event,
      SocketEntry socket,
      SocketState from,
      SocketState to,
      PrintWriter out) {
    if (json) {
      out.println(
          "{\"time\":"
              + Json.quote(seen.toString())
              + ",\"event\":"
              + Json.quote(event)
              + ",\"netid\":"
              + Json.quote(socket.kind().netid())
              + ",\"local\":"
              + SocketJson.endpoint(socket.local())
              + ",\"peer\":"
              + SocketJson.endpoint(socket.peer())
              + ",\"from\":"
              + (from == null ? "null" : Json.quote(from.ssName()))
              + ",\"to\":"
              + (to == null ? "null" : Json.quote(to.ssName()))
              + "}");
      return;
    }
    String change =
        switch (event) {
          case "present" -> "(present) " + to.ssName();
          case "new" -> "(new) -> " + to.ssName();
          case "gone" -> from.ssName() + " -> gone";
          default -> from.ssName() + " -> " + to.ssName();
        };
    out.println(
        CLOCK.format(seen)
            + "  "
            + pad(socket.local().text(), 21)
            + "  "
            + pad(socket.peer().text(), 21)
            + "  "
            + change);
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }
}
