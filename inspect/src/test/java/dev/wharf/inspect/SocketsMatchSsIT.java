package dev.wharf.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Await;
import dev.wharf.testkit.KnownSockets;
import dev.wharf.testkit.SsListing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Sockets} against the real {@code ss} (iproute2), on sockets this test opens in known
 * states ({@link KnownSockets}): the same sockets, states, queues, inodes, timers and owners. Only
 * the test's own ports and files are compared: the machine has other sockets.
 */
@Timeout(60)
class SocketsMatchSsIT {
  @TempDir Path dir;

  static SsListing.Socket asSs(SocketEntry socket) {
    Set<String> owners = new TreeSet<>();
    socket.owners().forEach(owner -> owners.add(owner.pid() + "/" + owner.fd()));
    return new SsListing.Socket(
        socket.kind().netid(),
        socket.state().ssName(),
        socket.receiveQueue(),
        socket.sendQueue(),
        socket.local().text(),
        // ss (iproute2 6.1) writes a Unix peer as "* INODE" even when it has a name; we name it.
        socket.peer() instanceof Endpoint.Unix unix ? "* " + unix.inode() : socket.peer().text(),
        socket.inode(),
        owners,
        socket.timer().map(timer -> timer.kind().ssName()).orElse(""));
  }

  /**
   * Lists ours (with {@code reader}) and ss's until they agree (the kernel moves between the two
   * readings: a segment acknowledged, a timer fired) and returns ours; fails with the difference.
   */
  static List<SsListing.Socket> agreeWithSs(
      KnownSockets known,
      Function<List<SsListing.Socket>, List<SsListing.Socket>> adjust,
      ListingSupplier reader) {
    var ours = new AtomicReference<List<SsListing.Socket>>(List.of());
    var difference = new AtomicReference<List<String>>(List.of());
    boolean agreed =
        Await.within(
            Duration.ofSeconds(20),
            Duration.ofMillis(100),
            () -> {
              ours.set(reader.get().stream().filter(known::isOurs).toList());
              var theirs = adjust.apply(SsListing.read().stream().filter(known::isOurs).toList());
              difference.set(SsListing.difference(adjust.apply(ours.get()), theirs));
              return difference.get().isEmpty();
            });
    assertThat(agreed).as("differences from ss:\n" + String.join("\n", difference.get())).isTrue();
    return ours.get();
  }

  interface ListingSupplier {
    List<SsListing.Socket> get() throws Exception;
  }

  @Test
  void netlinkListsTheSameSocketsAsSsInEveryKnownState() throws Exception {
    try (var known = KnownSockets.open(dir)) {
      var ours =
          agreeWithSs(
              known,
              Function.identity(),
              () -> {
                var listing = Sockets.list(SocketQuery.all().withOwners(true));
                assertThat(listing.source()).isEqualTo(SocketListing.Source.NETLINK);
                return listing.sockets().stream().map(SocketsMatchSsIT::asSs).toList();
              });
      String me = Long.toString(ProcessHandle.current().pid());
      assertThat(ours)
          .as("the listener with connections waiting to be accepted")
          .anyMatch(
              s ->
                  s.state().equals("LISTEN")
                      && s.recvQ() == KnownSockets.WAITING
                      && s.sendQ() == KnownSockets.BACKLOG
                      && s.owners().stream().anyMatch(o -> o.startsWith(me + "/")));
      for (String host : List.of("127.0.0.1:", "[::1]:")) {
        assertThat(ours)
            .as("unread bytes on " + host)
            .anyMatch(
                s ->
                    s.netid().equals("tcp")
                        && s.local().startsWith(host)
                        && s.state().equals("ESTAB")
                        && s.recvQ() == KnownSockets.UNREAD_BYTES);
        assertThat(ours)
            .as("unsent bytes on " + host)
            .anyMatch(
                s -> s.local().startsWith(host) && s.state().equals("ESTAB") && s.sendQ() > 0);
        assertThat(ours)
            .as("CLOSE-WAIT and FIN-WAIT-2 on " + host)
            .anyMatch(s -> s.local().startsWith(host) && s.state().equals("CLOSE-WAIT"))
            .anyMatch(s -> s.local().startsWith(host) && s.state().equals("FIN-WAIT-2"));
      }
      assertThat(ours)
          .as("TIME-WAIT, held by no process")
          .anyMatch(
              s ->
                  s.state().equals("TIME-WAIT")
                      && s.peer().endsWith(":" + known.timeWaitPort())
                      && s.inode() == 0
                      && s.owners().isEmpty()
                      && s.timer().equals("timewait"));
      assertThat(ours)
          .as("UDP bound and connected")
          .anyMatch(s -> s.netid().equals("udp") && s.state().equals("UNCONN") && s.recvQ() > 0)
          .anyMatch(s -> s.netid().equals("udp") && s.state().equals("ESTAB"));
      assertThat(ours)
          .as("Unix stream listener, a pair with unread bytes, a datagram socket in Python")
          .anyMatch(s -> s.netid().equals("u_str") && s.state().equals("LISTEN"))
          .anyMatch(
              s ->
                  s.netid().equals("u_str")
                      && s.state().equals("ESTAB")
                      && s.recvQ() == KnownSockets.UNREAD_BYTES)
          .anyMatch(
              s ->
                  s.netid().equals("u_dgr")
                      && s.owners().stream()
                          .anyMatch(o -> o.startsWith(known.datagramHolderPid() + "/")));
    }
  }

  @Test
  void aUnixClientsPeerIsNamedByTheSocketItReached() throws Exception {
    try (var known = KnownSockets.open(dir)) {
      String path = known.dir().resolve("stream.sock").toString();
      var listing = Sockets.list(SocketQuery.all());
      assertThat(listing.sockets())
          .anyMatch(
              s ->
                  s.kind() == SocketKind.UNIX_STREAM
                      && s.state() == SocketState.ESTABLISHED
                      && ((Endpoint.Unix) s.local()).name().isEmpty()
                      && ((Endpoint.Unix) s.peer()).name().equals(path));
    }
  }

  @Test
  void procNetFallbackAgreesWithSsOnWhatItCanTell() throws Exception {
    try (var known = KnownSockets.open(dir)) {
      // /proc/net tells no listener backlog, no Unix queues and no Unix peers: leave those out.
      agreeWithSs(
          known,
          sockets ->
              sockets.stream()
                  .map(
                      s ->
                          s.netid().startsWith("u_")
                              ? new SsListing.Socket(
                                  s.netid(),
                                  s.state(),
                                  0,
                                  0,
                                  s.local(),
                                  "",
                                  s.inode(),
                                  s.owners(),
                                  s.timer())
                              : s.state().equals("LISTEN")
                                  ? new SsListing.Socket(
                                      s.netid(),
                                      s.state(),
                                      s.recvQ(),
                                      0,
                                      s.local(),
                                      s.peer(),
                                      s.inode(),
                                      s.owners(),
                                      s.timer())
                                  : s)
                  .toList(),
          () -> {
            var listing =
                Sockets.list(SocketQuery.all().withOwners(true), SocketListing.Source.PROC_NET);
            return listing.sockets().stream().map(SocketsMatchSsIT::asSs).toList();
          });
    }
  }
}
