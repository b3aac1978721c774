package dev.wharf.cli.sockets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.NamespacePeer;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.SsListing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf sockets} against {@code ss} on the TCP states a plain loopback cannot hold:
 * SYN-SENT, SYN-RECV, FIN-WAIT-1, LAST-ACK and CLOSING. Each is made to stick in a private network
 * namespace ({@link NamespacePeer}) by an nftables rule that drops the segment that would end it
 * (RFC 9293 §3.3.2's diagram names them): the SYN, the handshake's last ACK, the ACK of a FIN. Both
 * listers run in that namespace, so they see these sockets and nothing else.
 */
@Timeout(120)
class SocketStatesMatchSsIT extends EndToEnd {

  @Test
  void statesHeldByDroppedSegmentsAgreeWithSs() throws Exception {
    try (var peer = NamespacePeer.start()) {
      // SYN-SENT: the SYN to 7001 is dropped, so the connect waits (and retransmits).
      peer.send("nft add rule inet t in tcp dport 7001 drop");
      peer.send("connect synSent 7001");

      // SYN-RECV: the client's last ACK of the handshake to 7002 is dropped (a segment with ACK
      // alone); the listener's request socket waits for it, the client is ESTABLISHED.
      peer.send("nft add rule inet t in tcp dport 7002 tcp flags & (fin|syn|rst|ack) == ack drop");
      peer.send("listen l2 7002");
      peer.send("connect synRecv 7002");

      // FIN-WAIT-1 facing CLOSE-WAIT: once connected, nothing from 7003 comes back, so the
      // client's FIN is received but never acknowledged.
      peer.send("listen l3 7003");
      peer.send("connect finWait1 7003");
      peer.send("accept s3 l3");
      peer.send("nft add rule inet t in tcp sport 7003 drop");
      peer.send("shutdown finWait1");

      // LAST-ACK: the client closes first (acknowledged), then nothing from it reaches 7004, so
      // the server's FIN is never acknowledged; the client goes to TIME-WAIT.
      peer.send("listen l4 7004");
      peer.send("connect c4 7004");
      peer.send("accept lastAck l4");
      peer.send("shutdown c4");
      awaitStateInside(peer, "FIN-WAIT-2", 7004);
      peer.send("nft add rule inet t in tcp dport 7004 drop");
      peer.send("shutdown lastAck");

      // CLOSING (a simultaneous close, RFC 9293 §3.6 case 2): both FINs are sent while everything
      // on 7005 is dropped; then one retransmitted FIN from the client is let through (a limit of
      // one packet), so the server has the client's FIN before the ACK of its own, which never
      // comes.
      peer.send("listen l5 7005");
      peer.send("connect c5 7005");
      peer.send("accept s5 l5");
      peer.send("nft add chain inet t hold");
      peer.send("nft add rule inet t in jump hold");
      peer.send("nft add rule inet t hold tcp dport 7005 drop");
      peer.send("nft add rule inet t hold tcp sport 7005 drop");
      peer.send("shutdown c5");
      peer.send("shutdown s5");
      peer.send("nft flush chain inet t hold");
      peer.send(
          "nft add rule inet t hold tcp dport 7005 tcp flags & fin == fin"
              + " limit rate 1/hour burst 1 packets accept");
      peer.send("nft add rule inet t hold tcp dport 7005 drop");
      peer.send("nft add rule inet t hold tcp sport 7005 drop");
      awaitStateInside(peer, "CLOSING", 7005);

      List<SsListing.Socket> ours = agreeWithSsInside(peer);
      assertThat(ours)
          .extracting(SsListing.Socket::state)
          .contains("SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "CLOSE-WAIT", "LAST-ACK", "CLOSING");
      assertThat(ours)
          .as("SYN-SENT to 7001, held by the python peer, its SYN being retransmitted")
          .anyMatch(
              s ->
                  s.state().equals("SYN-SENT")
                      && s.peer().equals("127.0.0.1:7001")
                      && s.timer().equals("on")
                      && s.owners().stream().anyMatch(o -> o.startsWith(peer.pid() + "/")));
      assertThat(ours)
          .as("SYN-RECV on the listener's port, which no process holds yet")
          .anyMatch(
              s ->
                  s.state().equals("SYN-RECV")
                      && s.local().equals("127.0.0.1:7002")
                      && s.owners().isEmpty());
    }
  }

  /** Waits until ss, in the namespace, shows a socket in {@code state} with {@code port}. */
  private static void awaitStateInside(NamespacePeer peer, String state, int port) {
    Await.until(
        state + " on port " + port,
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        () ->
            ssInside(peer).stream()
                .anyMatch(
                    s ->
                        s.state().equals(state)
                            && (s.local().endsWith(":" + port) || s.peer().endsWith(":" + port))));
  }

  static List<SsListing.Socket> ssInside(NamespacePeer peer) throws Exception {
    var result =
        ExternalProcess.run(Duration.ofSeconds(30), peer.inside("ss", "-tuanpeo", "-H", "-O"));
    assertThat(result.exit()).as(result.err()).isZero();
    var sockets = new ArrayList<SsListing.Socket>();
    for (String line : result.out().split("\n")) {
      if (!line.isBlank()) {
        sockets.add(SsListing.parse(line));
      }
    }
    return sockets;
  }

  /**
   * Lists with {@code wharf sockets --json} and with ss, both in the namespace, until they agree (a
   * timer may fire between the two); returns ours.
   */
  private List<SsListing.Socket> agreeWithSsInside(NamespacePeer peer) {
    var ours = new AtomicReference<List<SsListing.Socket>>(List.of());
    var difference = new AtomicReference<List<String>>(List.of());
    boolean agreed =
        Await.within(
            Duration.ofSeconds(60),
            Duration.ofMillis(100),
            () -> {
              Path out = Files.createTempFile(dir, "sockets", ".json");
              Child wharf = wharfIn(peer, out, "sockets", "-tua", "-p", "-e", "-o", "--json");
              assertThat(wharf.awaitExit(Duration.ofSeconds(30))).isZero();
              ours.set(SocketsCommandIT.parseJson(Files.readString(out)));
              difference.set(SsListing.difference(ours.get(), ssInside(peer)));
              return difference.get().isEmpty();
            });
    assertThat(agreed).as("differences from ss:\n" + String.join("\n", difference.get())).isTrue();
    return ours.get();
  }
}
