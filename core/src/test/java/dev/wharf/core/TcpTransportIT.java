package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testkit.Await;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

class TcpTransportIT extends StreamTransportContract {

  @Override
  SocketAddress listenAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  @Override
  SocketChannel openBlocking(SocketAddress serverAddress) throws IOException {
    return SocketChannel.open(serverAddress);
  }

  @Test
  void refusedConnectSaysNothingIsListening() throws Exception {
    int port;
    try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    var attempt =
        Client.builder(clientGroup)
            .build()
            .connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                new RecordingProtocol());

    assertThatThrownBy(() -> unwrap(attempt))
        .isInstanceOf(ConnectException.class)
        .hasMessage("connection refused: 127.0.0.1:" + port + " (nothing is listening there)");
  }

  @Test
  void triesEachAddressUntilOneAnswers() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    int closedPort;
    try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    var candidates =
        List.of(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort),
            (InetSocketAddress) server.localAddress());
    var client = new RecordingProtocol();
    Connection connection =
        Client.builder(clientGroup).build().connect(candidates, client).get(10, TimeUnit.SECONDS);

    assertThat(connection.remoteAddress()).isEqualTo(server.localAddress());
  }

  @Test
  void theResolverAndTheListenerSeeEachStepOfAConnect() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    int closedPort;
    try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    var closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
    var open = (InetSocketAddress) server.localAddress();
    // A name only this resolver knows, standing for a refused address and then one that answers.
    NameResolver resolver =
        (host, port) -> {
          assertThat(host).isEqualTo("two.test");
          return List.of(closed, open);
        };
    var steps = new java.util.concurrent.CopyOnWriteArrayList<String>();
    ConnectListener listener =
        new ConnectListener() {
          @Override
          public void resolveStarted(String host) {
            steps.add("resolving " + host);
          }

          @Override
          public void resolved(String host, List<InetSocketAddress> addresses) {
            steps.add("resolved to " + addresses.size());
          }

          @Override
          public void connectStarted(SocketAddress address) {
            steps.add("connecting " + ((InetSocketAddress) address).getPort());
          }

          @Override
          public void connectFailed(SocketAddress address, IOException error) {
            steps.add("failed " + ((InetSocketAddress) address).getPort());
          }

          @Override
          public void connected(SocketAddress local, SocketAddress remote) {
            steps.add("connected " + ((InetSocketAddress) remote).getPort());
          }
        };

    Connection connection =
        Client.builder(clientGroup)
            .resolver(resolver)
            .build()
            .connect("two.test", 1, new RecordingProtocol(), listener)
            .get(10, TimeUnit.SECONDS);

    assertThat(connection.remoteAddress()).isEqualTo(open);
    assertThat(steps)
        .containsExactly(
            "resolving two.test",
            "resolved to 2",
            "connecting " + closedPort,
            "failed " + closedPort,
            "connecting " + open.getPort(),
            "connected " + open.getPort());
  }

  @Test
  void resolvesAHostNameToEveryAddress() throws Exception {
    var addresses = NameResolver.SYSTEM.resolve("localhost", 80);
    assertThat(addresses).isNotEmpty().allMatch(a -> a.getAddress().isLoopbackAddress());

    var server =
        Server.builder(serverGroup)
            .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), EchoProtocol::new);
    var client = new RecordingProtocol();
    Connection connection =
        Client.builder(clientGroup)
            .build()
            .connect("localhost", server.port(), client)
            .get(10, TimeUnit.SECONDS);
    connection.write("x".getBytes(StandardCharsets.US_ASCII));
    Await.until("echo via name", () -> client.receivedCount() == 1);
  }

  @Test
  void unknownHostFailsWithItsName() {
    var attempt =
        Client.builder(clientGroup)
            .build()
            .connect("no-such-host.invalid", 80, new RecordingProtocol());
    assertThatThrownBy(() -> unwrap(attempt))
        .isInstanceOf(java.net.UnknownHostException.class)
        .hasMessage("cannot resolve host name: no-such-host.invalid");
  }

  @Test
  void connectTimesOutWhenTheListenerNeverAnswers() throws Exception {
    try (var deaf = dev.wharf.testkit.DeafListener.open()) {
      var attempt =
          Client.builder(clientGroup)
              .timeouts(Timeouts.DEFAULTS.withConnect(Duration.ofMillis(300)))
              .build()
              .connect(deaf.address(), new RecordingProtocol());
      assertThatThrownBy(() -> unwrap(attempt))
          .isInstanceOf(ConnectionTimeoutException.class)
          .hasMessageStartingWith("connect timed out after 300 ms");
    }
  }

  @Test
  void bindingAPortInUseSaysSo() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    assertThatThrownBy(
            () ->
                Server.builder(serverGroup)
                    .options(SocketOptions.DEFAULTS.withReuseAddress(false))
                    .bind(server.localAddress(), EchoProtocol::new))
        .isInstanceOf(java.net.BindException.class)
        .hasMessage("address already in use: 127.0.0.1:" + server.port());
  }

  @Test
  void acceptorPerLoopSpreadsConnectionsWithReusePort() throws Exception {
    var server =
        Server.builder(serverGroup).acceptorPerLoop(true).bind(listenAddress(), EchoProtocol::new);
    var clients = new ArrayList<RecordingProtocol>();
    for (int i = 0; i < 20; i++) {
      var client = new RecordingProtocol();
      clients.add(client);
      connect(server, client).write(new byte[] {(byte) i});
    }
    Await.until("all echoed", () -> clients.stream().allMatch(c -> c.receivedCount() == 1));
    assertThat(serverGroup.registry().openCount()).isEqualTo(20);
  }

  @Test
  void servesIpv6Loopback() throws Exception {
    var server =
        Server.builder(serverGroup)
            .bind(new InetSocketAddress(InetAddress.getByName("::1"), 0), EchoProtocol::new);
    var client = new RecordingProtocol();
    connect(server, client).write(new byte[] {42});
    Await.until("echo over ::1", () -> client.receivedCount() == 1);
  }

  @Test
  void socketOptionsReachTheSocket() throws Exception {
    var options =
        SocketOptions.DEFAULTS
            .withKeepAlive(new KeepAlive(Duration.ofSeconds(30), Duration.ofSeconds(5), 4))
            .withSendBufferSize(64 * 1024)
            .withLinger(Duration.ZERO)
            .withIpTos(0x10);
    var server = echoServer(Timeouts.DEFAULTS);
    Connection connection =
        Client.builder(clientGroup)
            .options(options)
            .build()
            .connect(server.localAddress(), new RecordingProtocol())
            .get(10, TimeUnit.SECONDS);

    assertThat(connection.option(StandardSocketOptions.SO_KEEPALIVE)).contains(true);
    assertThat(connection.option(ExtendedSocketOptions.TCP_KEEPIDLE)).contains(30);
    assertThat(connection.option(ExtendedSocketOptions.TCP_KEEPINTERVAL)).contains(5);
    assertThat(connection.option(ExtendedSocketOptions.TCP_KEEPCOUNT)).contains(4);
    assertThat(connection.option(StandardSocketOptions.TCP_NODELAY)).contains(true);
    assertThat(connection.option(StandardSocketOptions.SO_LINGER)).contains(0);
    assertThat(connection.option(StandardSocketOptions.IP_TOS)).contains(0x10);
    // Linux doubles the asked-for size to leave room for its bookkeeping.
    assertThat(connection.option(StandardSocketOptions.SO_SNDBUF))
        .get()
        .isIn(64 * 1024, 128 * 1024);
    Await.until("accepted", () -> serverGroup.registry().openCount() == 1);
    assertThat(serverGroup.registry().connections().getFirst().protocol()).isEqualTo("echo");
  }
}
