package dev.wharf.cli.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.WebSocketEndToEnd;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C (SIGINT) and SIGTERM on the real {@code wharf ws}: the peer, python3-websockets, must see
 * a Close with 1001 (going away), not a dropped connection; the exit status is the shell's 128 +
 * the signal's number.
 */
class WsSignalsIT extends WebSocketEndToEnd {

  @Test
  void ctrlCOnAClientSendsGoingAwayAndExits130() throws Exception {
    int port = pythonServer();
    // stdin stays open (a pipe): only the signal ends it.
    Child ws = wsHearingSigint("-v", "ws://127.0.0.1:" + port + "/echo");
    ws.awaitErr("wharf ws: open: ");
    ws.signal("INT");
    assertThat(ws.awaitExit()).isEqualTo(130);
    EndToEnd.awaitMatch(dir.resolve("python-server.out"), Pattern.compile("(closed\t1001)"));
    assertThat(read(dir.resolve("python-server.out")))
        .isEqualTo("PORT\t" + port + "\nclosed\t1001\t\n");
    assertThat(ws.errLines())
        .containsSubsequence(
            "wharf ws: sending Close 1001 (going away): interrupted",
            "wharf ws: closed: 1001 (going away)");
  }

  @Test
  void sigtermOnAListenerClosesItsPeerWithGoingAwayAndExits143() throws Exception {
    Path out = dir.resolve("listen.out");
    Child listen = ws(null, out, "--listen", "127.0.0.1:0", "-v");
    int port = listeningPort(listen, "tcp");
    Path reply = dir.resolve("reply.out");
    python(reply, "reply", "ws://127.0.0.1:" + port + "/", "from python");
    EndToEnd.awaitMatch(out, Pattern.compile("(from python\n)"));

    listen.signal("TERM");
    assertThat(listen.awaitExit()).isEqualTo(143);
    EndToEnd.awaitMatch(reply, Pattern.compile("(closed\t1001)"));
    assertThat(read(reply)).isEqualTo("closed\t1001\t\n");
    assertThat(listen.errLines())
        .containsSubsequence(
            "wharf ws: sending Close 1001 (going away): interrupted",
            "wharf ws: closed: 1001 (going away)");
  }

  @Test
  void aCloseAlreadySentIsAwaitedAndAPeerThatNeverAnswersIsLeftAfterTwoSeconds() throws Exception {
    Path mute = dir.resolve("mute.out");
    python(mute, "mute-server");
    int port = Integer.parseInt(EndToEnd.awaitMatch(mute, Pattern.compile("PORT\t(\\d+)")));
    Child ws = wsHearingSigint("-v", "ws://127.0.0.1:" + port + "/");
    ws.awaitErr("wharf ws: open: ");
    // The end of stdin sends Close 1000; the peer never answers it.
    try (OutputStream stdin = ws.process().getOutputStream()) {
      stdin.write("last words\n".getBytes(StandardCharsets.UTF_8));
    }
    ws.awaitErr("wharf ws: sending Close 1000 \\(normal\\): stdin ended");
    long signalled = System.nanoTime();
    ws.signal("INT");
    assertThat(ws.awaitExit()).isEqualTo(130);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
    // Bounded: the 2 s wait, and the JVM's exit; not the module's 5 s close timeout.
    assertThat(tookMillis).isBetween(1_900L, 4_500L);
    assertThat(ws.errLines())
        .contains("wharf ws: no Close from the peer within 2 s; exiting")
        .noneMatch(line -> line.contains("1001"));
    EndToEnd.awaitMatch(mute, Pattern.compile("(eof)"));
  }

  @Test
  void ctrlCWithNoPeerYetJustExits130() throws Exception {
    Child listen = wharfHearingSigint(null, null, "ws", "--listen", "127.0.0.1:0", "-k", "-v");
    listeningPort(listen, "tcp");
    listen.signal("INT");
    assertThat(listen.awaitExit()).isEqualTo(130);
    assertThat(listen.errLines()).noneMatch(line -> line.contains("Close"));
  }

  private Child wsHearingSigint(String... args) throws Exception {
    var all = new ArrayList<>(List.of("ws"));
    all.addAll(List.of(args));
    return wharfHearingSigint(null, null, all.toArray(String[]::new));
  }
}
