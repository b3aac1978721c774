package dev.wharf.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.Client;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.EchoProtocol;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Protocol;
import dev.wharf.core.Server;
import dev.wharf.core.Timeouts;
import dev.wharf.testkit.ExternalProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TLS 1.3 client that the server refuses for want of a certificate has finished its side of the
 * handshake and is already sending when the alert goes out. The server's close lingers, so the
 * client reads the alert instead of a reset (a broken pipe, a connection reset).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsLingeringCloseIT extends TlsFixture {
  private static final Duration WAIT = Duration.ofSeconds(15);

  /** More than loopback's socket buffers take, so most of it is unread when the server closes. */
  private static final int SENT_AFTER_HANDSHAKE = 8 * 1024 * 1024;

  private final EventLoopGroup group = group("tls-linger-it");

  private int serveNeedingClientCertificates() throws Exception {
    Server server =
        Server.builder(group)
            .timeouts(Timeouts.DEFAULTS)
            .layer(
                TlsProtocol.serverLayer(
                    TlsServerConfig.builder(
                            TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                        .clientAuth(
                            TlsServerConfig.ClientAuth.NEED, TlsTrust.fromPem(certs.caCert()))
                        .build()))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EchoProtocol::new);
    return closedAfter(server).port();
  }

  /** Sends a lot as soon as its handshake is done, and notes why it closed. */
  private static final class EagerSender implements Protocol {
    final CompletableFuture<CloseReason> closed = new CompletableFuture<>();

    @Override
    public void opened(Connection connection) {
      connection.write(new byte[SENT_AFTER_HANDSHAKE]);
    }

    @Override
    public void received(Connection connection, ByteBuffer data) {
      data.position(data.limit());
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
      closed.complete(reason);
    }
  }

  @Test
  void ourClientSendingRightAfterItsHandshakeHearsTheAlert() throws Exception {
    int port = serveNeedingClientCertificates();
    var client =
        Client.builder(group)
            .layer(
                TlsProtocol.clientLayer(
                    TlsClientConfig.builder().trust(TlsTrust.fromPem(certs.caCert())).build()))
            .build();

    // Several times: the reset this prevents came in a race.
    for (int attempt = 0; attempt < 5; attempt++) {
      var sender = new EagerSender();
      client.connect("localhost", port, sender).get(15, TimeUnit.SECONDS);

      CloseReason reason = sender.closed.get(15, TimeUnit.SECONDS);

      assertThat(reason.message())
          .as("attempt %d", attempt)
          .isEqualTo(
              "TLS error with localhost:" + port + ": the server requires a client certificate");
    }
  }

  @Test
  void opensslClientSendingRightAfterItsHandshakeHearsTheAlert() throws Exception {
    int port = serveNeedingClientCertificates();

    // s_client fed from a pipe as fast as it takes it; -ign_eof keeps it reading after the input
    // ends, until the server closes.
    ExternalProcess client =
        closedAfter(
            ExternalProcess.start(
                dir,
                List.of(
                    "sh",
                    "-c",
                    "head -c "
                        + SENT_AFTER_HANDSHAKE
                        + " /dev/zero | openssl s_client -tls1_3 -ign_eof -connect 127.0.0.1:"
                        + port
                        + " -CAfile "
                        + certs.caCert())));

    client.awaitExit(WAIT);
    assertThat(client.output())
        .contains("Verify return code: 0 (ok)")
        .contains("alert certificate required")
        .doesNotContainPattern("errno=(104|32)");
  }
}
