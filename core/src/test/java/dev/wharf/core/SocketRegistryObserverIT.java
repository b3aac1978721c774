package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry's observers hear every listener and connection open and close, with the first and
 * the last snapshot (final byte counts), on real loopback sockets.
 */
class SocketRegistryObserverIT {
  private final EventLoopGroup group = new EventLoopGroup(2, "observed", true);

  @AfterEach
  void stop() {
    group.close();
  }

  /** What an observer heard, in order, from whichever loop told it. */
  private record Event(String kind, Object info) {}

  @Test
  void hearsListenersAndConnectionsOpenAndCloseWithTheirFinalCounts() throws Exception {
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    Cancellable stop =
        group
            .registry()
            .observe(
                new SocketRegistry.Observer() {
                  @Override
                  public void listening(ListenerInfo listener) {
                    events.add(new Event("listening", listener));
                  }

                  @Override
                  public void stoppedListening(ListenerInfo listener) {
                    events.add(new Event("stopped", listener));
                  }

                  @Override
                  public void opened(ConnectionInfo connection) {
                    events.add(new Event("opened", connection));
                  }

                  @Override
                  public void closed(ConnectionInfo connection) {
                    events.add(new Event("closed", connection));
                  }
                });
    Server server =
        Server.builder(group)
            .name("echo")
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EchoProtocol::new);
    Event listening = events.poll(30, TimeUnit.SECONDS);
    assertThat(listening.kind()).isEqualTo("listening");
    assertThat(((ListenerInfo) listening.info()).address()).isEqualTo(server.localAddress());

    int clientPort;
    try (var socket = new Socket()) {
      socket.connect(server.localAddress(), 10_000);
      clientPort = socket.getLocalPort();
      Event opened = events.poll(30, TimeUnit.SECONDS);
      assertThat(opened.kind()).isEqualTo("opened");
      var first = (ConnectionInfo) opened.info();
      assertThat(((InetSocketAddress) first.remote()).getPort()).isEqualTo(clientPort);
      assertThat(first.protocol()).isEqualTo("echo");
      assertThat(first.bytesIn()).isZero();

      OutputStream out = socket.getOutputStream();
      out.write("hello".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(in.readNBytes(5)).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
    }
    Event closed = events.poll(30, TimeUnit.SECONDS);
    assertThat(closed.kind()).isEqualTo("closed");
    var last = (ConnectionInfo) closed.info();
    assertThat(((InetSocketAddress) last.remote()).getPort()).isEqualTo(clientPort);
    assertThat(last.bytesIn()).isEqualTo(5);
    assertThat(last.bytesOut()).isEqualTo(5);
    assertThat(last.state()).isEqualTo(ConnectionState.CLOSED);

    server.close();
    Event stopped = events.poll(30, TimeUnit.SECONDS);
    assertThat(stopped.kind()).isEqualTo("stopped");

    // Cancelled: a later connection is heard by no one.
    stop.cancel();
    Server again =
        Server.builder(group)
            .name("echo")
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EchoProtocol::new);
    try (var socket = new Socket()) {
      socket.connect(again.localAddress(), 10_000);
    }
    again.close();
    assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }
}
