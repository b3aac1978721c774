package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.CapturedLog;
import dev.wharf.testkit.Await;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DatagramEndpointIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "udp", true);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  record Received(String text, SocketAddress sender) {}

  record Refusal(SocketAddress peer, java.io.IOException error) {}

  @AfterEach
  void shutDown() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private static DatagramHandler into(BlockingQueue<Received> sink) {
    return (endpoint, data, sender) ->
        sink.add(new Received(StandardCharsets.UTF_8.decode(data).toString(), sender));
  }

  private static ByteBuffer utf8(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void receivesDatagramsWithTheirSenderAndAnswers() throws Exception {
    // An echo endpoint, and a plain JDK socket as the peer.
    var echo =
        DatagramEndpoint.builder(group)
            .bind(
                new InetSocketAddress(LOOPBACK, 0),
                (endpoint, data, sender) -> endpoint.send(data, sender));
    try (var peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      peer.setSoTimeout(5000);
      for (int i = 0; i < 100; i++) {
        byte[] out = ("datagram " + i).getBytes(StandardCharsets.UTF_8);
        peer.send(new DatagramPacket(out, out.length, echo.localAddress()));
        var in = new DatagramPacket(new byte[100], 100);
        peer.receive(in);
        assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8))
            .isEqualTo("datagram " + i);
        assertThat(in.getSocketAddress()).isEqualTo(echo.localAddress());
      }
    }
    // The loop counts a send just after the kernel took it, so the peer may be a hair ahead.
    Await.until("counters", () -> echo.sentCount() == 100);
    assertThat(echo.receivedCount()).isEqualTo(100);
    assertThat(echo.droppedCount()).isZero();
  }

  @Test
  void twoEndpointsTalkAndSeeEachOthersAddress() throws Exception {
    var inbox = new LinkedBlockingQueue<Received>();
    var a = DatagramEndpoint.builder(group).bind(new InetSocketAddress(LOOPBACK, 0), into(inbox));
    var b =
        DatagramEndpoint.builder(group).bind(new InetSocketAddress(LOOPBACK, 0), (e, d, s) -> {});

    b.send(utf8("hi a"), a.localAddress());

    Received got = inbox.poll(5, TimeUnit.SECONDS);
    assertThat(got).isEqualTo(new Received("hi a", b.localAddress()));
  }

  @Test
  void aConnectedEndpointOnlyHearsItsPeer() throws Exception {
    var inbox = new LinkedBlockingQueue<Received>();
    var connected =
        DatagramEndpoint.builder(group).bind(new InetSocketAddress(LOOPBACK, 0), into(inbox));
    try (var peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        var stranger = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      connected.connect(peer.getLocalSocketAddress());

      byte[] noise = "noise".getBytes(StandardCharsets.UTF_8);
      stranger.send(new DatagramPacket(noise, noise.length, connected.localAddress()));
      byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(hello, hello.length, connected.localAddress()));

      assertThat(inbox.poll(5, TimeUnit.SECONDS))
          .isEqualTo(new Received("hello", peer.getLocalSocketAddress()));
      connected.send(utf8("back"));
      peer.setSoTimeout(5000);
      var in = new DatagramPacket(new byte[100], 100);
      peer.receive(in);
      assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8))
          .isEqualTo("back");
    }
    // The stranger's datagram was filtered by the kernel, never delivered.
    assertThat(inbox).isEmpty();
  }

  @Test
  void aConnectedEndpointIsToldWhenItsPeerRefuses() throws Exception {
    SocketAddress closed;
    try (var gone = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      closed = gone.getLocalSocketAddress();
    }
    var refusals = new LinkedBlockingQueue<Refusal>();
    var endpoint =
        DatagramEndpoint.builder(group)
            .bind(
                new InetSocketAddress(LOOPBACK, 0),
                new DatagramHandler() {
                  @Override
                  public void received(DatagramEndpoint e, ByteBuffer data, SocketAddress s) {}

                  @Override
                  public void unreachable(
                      DatagramEndpoint e, SocketAddress peer, java.io.IOException error) {
                    refusals.add(new Refusal(peer, error));
                  }
                });
    endpoint.connect(closed);

    endpoint.send(utf8("anyone?"));

    // Loopback answers with ICMP port unreachable at once; the kernel reports it on the socket.
    Refusal refusal = refusals.poll(5, TimeUnit.SECONDS);
    assertThat(refusal).isNotNull();
    assertThat(refusal.peer()).isEqualTo(closed);
    assertThat(refusal.error()).isInstanceOf(java.net.PortUnreachableException.class);
  }

  @Test
  void anEmptyDatagramToTheConnectedPeerIsCountedAsDroppedNotSent() throws Exception {
    try (var peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      var endpoint =
          DatagramEndpoint.builder(group)
              .bind(new InetSocketAddress(LOOPBACK, 0), (e, data, sender) -> {});
      endpoint.connect(peer.getLocalSocketAddress());

      endpoint.send(ByteBuffer.allocate(0));
      endpoint.send(utf8("x"));

      peer.setSoTimeout(5000);
      var in = new DatagramPacket(new byte[10], 10);
      peer.receive(in);
      assertThat(in.getLength()).isOne(); // The empty one never left.
      Await.until("counters", () -> endpoint.sentCount() == 1);
      assertThat(endpoint.droppedCount()).isOne();
    }
  }

  @Test
  void multicastReachesMembersUntilTheyLeave() throws Exception {
    NetworkInterface loopback =
        NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1"));
    InetAddress groupAddress = InetAddress.getByName("239.255.42.99");
    var inbox = new LinkedBlockingQueue<Received>();
    var member =
        DatagramEndpoint.builder(group)
            .family(StandardProtocolFamily.INET)
            .options(SocketOptions.DEFAULTS.withReuseAddress(true))
            .bind(new InetSocketAddress(0), into(inbox));
    var membership = member.join(groupAddress, loopback);
    var sender =
        DatagramEndpoint.builder(group)
            .family(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(LOOPBACK, 0), (e, d, s) -> {});
    var target = new InetSocketAddress(groupAddress, member.port());

    sender.send(utf8("to the group"), target);
    assertThat(inbox.poll(5, TimeUnit.SECONDS))
        .extracting(Received::text)
        .isEqualTo("to the group");

    member.leave(membership);
    sender.send(utf8("after leaving"), target);
    // Prove the second datagram was sent, then that it did not arrive.
    Await.until("second send", () -> sender.sentCount() == 2);
    assertThat(inbox.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aThrowingHandlerDoesNotStopTheEndpoint() throws Exception {
    var inbox = new LinkedBlockingQueue<Received>();
    var endpoint =
        DatagramEndpoint.builder(group)
            .bind(
                new InetSocketAddress(LOOPBACK, 0),
                (e, data, sender) -> {
                  if (data.get(data.position()) == '!') {
                    throw new IllegalStateException("handler bug");
                  }
                  into(inbox).received(e, data, sender);
                });
    var peer =
        DatagramEndpoint.builder(group).bind(new InetSocketAddress(LOOPBACK, 0), (e, d, s) -> {});
    try (var log =
        CapturedLog.expect(DatagramEndpoint.class, Level.WARNING, IllegalStateException.class)) {
      peer.send(utf8("!boom"), endpoint.localAddress());
      peer.send(utf8("fine"), endpoint.localAddress());
      assertThat(inbox.poll(5, TimeUnit.SECONDS)).extracting(Received::text).isEqualTo("fine");
      assertThat(log.await(Duration.ofSeconds(5)).getThrown()).hasMessage("handler bug");
    }
  }

  @Test
  void registryListsTheEndpoint() throws Exception {
    var endpoint =
        DatagramEndpoint.builder(group)
            .name("dns")
            .bind(new InetSocketAddress(LOOPBACK, 0), (e, d, s) -> {});
    assertThat(group.registry().listeners())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.transport()).isEqualTo(Transport.UDP);
              assertThat(l.address()).isEqualTo(endpoint.localAddress());
              assertThat(l.protocol()).isEqualTo("dns");
            });
    endpoint.close();
    assertThat(group.registry().listeners()).isEmpty();
  }
}
