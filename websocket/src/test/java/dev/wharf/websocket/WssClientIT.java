package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.ConnectListener;
import dev.wharf.core.Connection;
import dev.wharf.core.ForwardingConnection;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsClientConfig;
import dev.wharf.core.tls.TlsIdentity;
import dev.wharf.core.tls.TlsServerConfig;
import dev.wharf.core.tls.TlsTrust;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} from {@link WebSocketClient} itself, as {@code HttpClient} fetches {@code
 * https://}: the builder's TLS config, the system's CAs by default, the connect's events, and a
 * handshake wrapper that sees the upgrade in plaintext above TLS.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WssClientIT {
  @TempDir static Path certDir;

  private static final dev.wharf.core.EventLoopGroup group =
      new dev.wharf.core.EventLoopGroup(1, "wss-it", true);
  private static TestCertificates certs;
  private static HttpServer server;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.create(certDir);
    server =
        HttpServer.builder(group)
            .tls(
                TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                    .build())
            .get("/ws", WebSocketServer.handler(WebSocketConfig.DEFAULTS, EchoListeners::whole))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterAll
  static void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private static URI wss() {
    return URI.create("wss://localhost:" + server.port() + "/ws");
  }

  @Test
  void echoesOverTlsTellingTheConnectAndShowingThePlainHandshake() throws Exception {
    var events = new CopyOnWriteArrayList<String>();
    var written = new CopyOnWriteArrayList<String>();
    var client =
        WebSocketClient.builder(group)
            .tls(TlsClientConfig.builder().trust(TlsTrust.fromPem(certs.caCert())).build())
            .connectListener(
                new ConnectListener() {
                  @Override
                  public void resolved(String host, List<InetSocketAddress> addresses) {
                    events.add("resolved " + host);
                  }

                  @Override
                  public void connected(SocketAddress local, SocketAddress remote) {
                    events.add("connected " + ((InetSocketAddress) remote).getPort());
                  }
                })
            .handshakeWrapper(handshake -> new WriteTap(handshake, written))
            .build();
    var echoed = new CompletableFuture<String>();
    var listener =
        new RecordingListener() {
          @Override
          public void onText(WebSocket ws, String text) {
            echoed.complete(text);
          }
        };

    WebSocket ws = client.connect(wss(), listener).get(30, TimeUnit.SECONDS);
    ws.sendText("hello");

    assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo("hello");
    assertThat(events).containsExactly("resolved localhost", "connected " + server.port());
    assertThat(written.getFirst()).startsWith("GET /ws HTTP/1.1\r\n");
  }

  @Test
  void byDefaultTheSystemsCasAreTrustedAndTheTestCaIsNot() {
    var trustingTheSystem = WebSocketClient.builder(group).build();
    assertThatThrownBy(
            () ->
                trustingTheSystem.connect(wss(), new RecordingListener()).get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("the server's certificate is not trusted");
  }

  /** Notes what the handshake writes, as the application wrote it. */
  private static final class WriteTap implements Protocol {
    private final Protocol handshake;
    private final List<String> written;
    private Connection tapped;

    WriteTap(Protocol handshake, List<String> written) {
      this.handshake = handshake;
      this.written = written;
    }

    @Override
    public void opened(Connection connection) {
      tapped =
          new ForwardingConnection(connection) {
            @Override
            public void write(ByteBuffer data) {
              written.add(StandardCharsets.ISO_8859_1.decode(data.duplicate()).toString());
              super.write(data);
            }
          };
      handshake.opened(tapped);
    }

    @Override
    public void received(Connection connection, ByteBuffer data) {
      handshake.received(tapped, data);
    }

    @Override
    public void closed(Connection connection, dev.wharf.core.CloseReason reason) {
      handshake.closed(tapped != null ? tapped : connection, reason);
    }
  }
}
