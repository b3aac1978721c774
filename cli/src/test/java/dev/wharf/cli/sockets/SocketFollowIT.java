package dev.wharf.cli.sockets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.NamespacePeer;
import dev.wharf.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf sockets --follow PORT --json} sees one connection's whole life in order, both ends:
 * the client SYN-SENT, ESTAB, FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT; the server SYN-RECV, ESTAB,
 * CLOSE-WAIT, LAST-ACK, gone. On loopback each step takes microseconds, shorter than any sampling;
 * here, in a private network namespace ({@link NamespacePeer}), an nftables rule holds each state
 * by dropping the segment that would end it, and the test lifts it once --follow has told the
 * state.
 */
@Timeout(180)
class SocketFollowIT extends EndToEnd {
  private static final int PORT = 7010;
  private static final Pattern EVENT =
      Pattern.compile(
          "\\{\"time\":\"([^\"]+)\",\"event\":\"(\\w+)\",\"netid\":\"tcp\","
              + "\"local\":\\{\"address\":\"[^\"]+\",\"port\":(\\d+)\\},"
              + "\"peer\":\\{\"address\":\"[^\"]+\",\"port\":(\\d+)\\},"
              + "\"from\":(?:null|\"([A-Z0-9-]+)\"),\"to\":(?:null|\"([A-Z0-9-]+)\")\\}");

  /** One line of --follow's output. */
  record Event(Instant time, String event, int local, int peer, String from, String to) {}

  @Test
  void followTellsEachStateOfAConnectionInOrder() throws Exception {
    try (var peer = NamespacePeer.start()) {
      Path out = dir.resolve("follow.jsonl");
      Child follow =
          wharfIn(
              peer,
              out,
              "sockets",
              "--follow",
              Integer.toString(PORT),
              "--json",
              "--interval",
              "0.01");
      peer.send("nft add chain inet t hold");
      peer.send("nft add rule inet t in jump hold");
      peer.send("listen listener " + PORT);
      await(out, PORT, 0, "LISTEN");

      // SYN-SENT: the SYN is dropped.
      peer.send("nft add rule inet t hold tcp dport " + PORT + " drop");
      peer.send("connect client " + PORT);
      int client = Integer.parseInt(peer.send("port client"));
      await(out, client, PORT, "SYN-SENT");

      // The SYN's retransmission passes, the handshake's last ACK does not: client ESTAB,
      // server SYN-RECV.
      peer.send("nft flush chain inet t hold");
      peer.send(
          "nft add rule inet t hold tcp dport "
              + PORT
              + " tcp flags & (fin|syn|rst|ack) == ack drop");
      await(out, client, PORT, "ESTAB");
      await(out, PORT, client, "SYN-RECV");

      // The SYN-ACK's retransmission brings the ACK again, which passes: server ESTAB.
      peer.send("nft flush chain inet t hold");
      await(out, PORT, client, "ESTAB");
      peer.send("accept server listener");

      // The client's FIN arrives, its ACK does not come back: FIN-WAIT-1 and CLOSE-WAIT.
      peer.send("nft add rule inet t hold tcp sport " + PORT + " drop");
      peer.send("shutdown client");
      await(out, client, PORT, "FIN-WAIT-1");
      await(out, PORT, client, "CLOSE-WAIT");

      // The FIN's retransmission is acknowledged: FIN-WAIT-2.
      peer.send("nft flush chain inet t hold");
      await(out, client, PORT, "FIN-WAIT-2");

      // The server's FIN arrives, the client's ACK of it does not: TIME-WAIT and LAST-ACK.
      peer.send("nft add rule inet t hold tcp dport " + PORT + " drop");
      peer.send("shutdown server");
      await(out, client, PORT, "TIME-WAIT");
      await(out, PORT, client, "LAST-ACK");

      // The server's FIN again, acknowledged from TIME-WAIT: the server's socket is gone.
      peer.send("nft flush chain inet t hold");
      await(out, PORT, client, "gone");

      follow.signal("INT");
      assertThat(follow.awaitExit(Duration.ofSeconds(20))).isEqualTo(130);
      assertThat(follow.errLines()).isEmpty();

      List<Event> events = events(out);
      assertThat(states(events, client, PORT))
          .containsExactly("SYN-SENT", "ESTAB", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT");
      assertThat(states(events, PORT, client))
          .containsExactly("SYN-RECV", "ESTAB", "CLOSE-WAIT", "LAST-ACK", "gone");
      assertThat(events)
          .filteredOn(e -> e.local() == client)
          .first()
          .extracting(Event::event, Event::from)
          .containsExactly("new", null);
      for (int i = 1; i < events.size(); i++) {
        assertThat(events.get(i).time()).isAfterOrEqualTo(events.get(i - 1).time());
      }
    }
  }

  /** Waits until --follow has told that the socket from {@code local} to {@code peer} is in it. */
  private static void await(Path out, int local, int peer, String state) {
    Await.until(
        "--follow to tell " + local + " -> " + peer + " " + state,
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        () -> states(events(out), local, peer).contains(state));
  }

  /** The states one socket went through, as told; "gone" when it went. */
  private static List<String> states(List<Event> events, int local, int peer) {
    var states = new ArrayList<String>();
    for (Event e : events) {
      if (e.local() == local && (peer == 0 || e.peer() == peer)) {
        states.add(e.to() == null ? "gone" : e.to());
      }
    }
    return states;
  }

  private static List<Event> events(Path out) {
    String text;
    try {
      text = Files.exists(out) ? Files.readString(out) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    var events = new ArrayList<Event>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || !line.endsWith("}")) {
        continue; // The last line may be half written.
      }
      Matcher m = EVENT.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      events.add(
          new Event(
              Instant.parse(m.group(1)),
              m.group(2),
              Integer.parseInt(m.group(3)),
              Integer.parseInt(m.group(4)),
              m.group(5),
              m.group(6)));
    }
    return events;
  }
}
