package dev.wharf.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.Client;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ConnectionTimeoutException;
import dev.wharf.core.EchoProtocol;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Protocol;
import dev.wharf.core.Server;
import dev.wharf.core.testing.CapturedLog;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A certificate that should not be trusted is not, and the message says why in words a person can
 * act on: expired, for another host, from an unknown CA, not the pinned key, missing. Handshakes
 * that never finish time out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsVerificationIT extends TlsFixture {
  private final EventLoopGroup group = group("tls-verify-it");
  private final LinkedBlockingQueue<CompletableFuture<Connection>> serverHandshakes =
      new LinkedBlockingQueue<>();

  /** An echo server showing this certificate; notes each handshake's outcome. */
  private int serve(TlsServerConfig config) throws Exception {
    Server server =
        Server.builder(group)
            .bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () -> {
                  TlsProtocol tls = TlsProtocol.server(config, new EchoProtocol());
                  serverHandshakes.add(tls.handshake());
                  return tls;
                });
    return closedAfter(server).port();
  }

  private int serve(Path cert, Path key) throws Exception {
    return serve(TlsServerConfig.builder(TlsIdentity.fromPem(cert, key)).build());
  }

  private Connection connect(TlsClientConfig config, String host, int port, Protocol protocol)
      throws Exception {
    try {
      return Client.builder(group)
          .layer(TlsProtocol.clientLayer(config))
          .build()
          .connect(host, port, protocol)
          .get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private Connection connect(TlsClientConfig config, String host, int port) throws Exception {
    return connect(config, host, port, new EchoProtocol());
  }

  private TlsClientConfig trustingTheCa() throws Exception {
    return TlsClientConfig.builder().trust(TlsTrust.fromPem(certs.caCert())).build();
  }

  @Test
  void aTrustedCertificateForTheHostIsAccepted() throws Exception {
    int port = serve(certs.serverCert(), certs.serverKey());

    Connection byName = connect(trustingTheCa(), "localhost", port);
    Connection byAddress = connect(trustingTheCa(), "127.0.0.1", port);

    assertThat(TlsSession.of(byName).orElseThrow().serverName()).contains("localhost");
    assertThat(TlsSession.of(byAddress).orElseThrow().serverName()).isEmpty();
  }

  @Test
  void anExpiredCertificateFailsSayingWhen() throws Exception {
    int port = serve(certs.expiredCert(), certs.serverKey());

    assertThatThrownBy(() -> connect(trustingTheCa(), "localhost", port))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessage(
            "TLS handshake with localhost:"
                + port
                + " failed: the server's certificate expired on 2020-01-02T00:00:00Z"
                + " (CN=localhost)")
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(PeerRejectedException.Reason.EXPIRED));
  }

  @Test
  void aCertificateForAnotherHostFailsNamingBoth() throws Exception {
    int port = serve(certs.otherCert(), certs.otherKey());

    assertThatThrownBy(() -> connect(trustingTheCa(), "localhost", port))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessage(
            "TLS handshake with localhost:"
                + port
                + " failed: the server's certificate is not for localhost but for other.test")
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(PeerRejectedException.Reason.WRONG_NAME));
    assertThatThrownBy(() -> connect(trustingTheCa(), "127.0.0.1", port))
        .hasMessageEndingWith("the server's certificate is not for 127.0.0.1 but for other.test");
  }

  @Test
  void aSelfSignedCertificateIsNotTrusted() throws Exception {
    int port = serve(certs.selfSignedCert(), certs.selfSignedKey());

    assertThatThrownBy(() -> connect(trustingTheCa(), "localhost", port))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessage(
            "TLS handshake with localhost:"
                + port
                + " failed: the server's certificate is self-signed and not trusted"
                + " (CN=localhost)")
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(PeerRejectedException.Reason.UNTRUSTED));
  }

  @Test
  void aCertificateFromAnUnknownCaIsNotTrusted() throws Exception {
    int port = serve(certs.serverCert(), certs.serverKey());

    // The system's CAs do not include the test CA.
    assertThatThrownBy(() -> connect(TlsClientConfig.defaults(), "localhost", port))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessage(
            "TLS handshake with localhost:"
                + port
                + " failed: the server's certificate is not trusted: CN=localhost, issued by"
                + " CN=Wharf Test CA, does not chain to a trusted CA");
  }

  @Test
  void insecureTrustsAnything() throws Exception {
    int port = serve(certs.expiredCert(), certs.serverKey());

    // Expired, and asked for by a name it does not have.
    try (var log = CapturedLog.expect(TlsClientConfig.class, Level.WARNING)) {
      Connection connection =
          connect(
              TlsClientConfig.builder().trust(TlsTrust.insecure()).serverName("wrong.test").build(),
              "127.0.0.1",
              port);

      assertThat(TlsSession.of(connection).orElseThrow().serverName()).contains("wrong.test");
      assertThat(log.records())
          .singleElement()
          .satisfies(r -> assertThat(r.getMessage()).contains("insecure"));
    }
  }

  @Test
  void aPinnedKeyLetsASelfSignedServerInAndAnyOtherKeyIsRefused() throws Exception {
    int port = serve(certs.selfSignedCert(), certs.selfSignedKey());
    var selfSigned = Pem.readCertificates(certs.selfSignedCert()).getFirst();
    PublicKeyPin right = PublicKeyPin.of(selfSigned);
    PublicKeyPin wrong = PublicKeyPin.of(Pem.readCertificates(certs.serverCert()).getFirst());

    TlsClientConfig pinsRight;
    TlsClientConfig pinsWrong;
    try (var log = CapturedLog.expect(TlsClientConfig.class, Level.WARNING)) {
      pinsRight = TlsClientConfig.builder().trust(TlsTrust.insecure()).pin(right).build();
      pinsWrong = TlsClientConfig.builder().trust(TlsTrust.insecure()).pin(wrong).build();
      assertThat(log.records())
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.getMessage()).contains("pinned keys only"));
    }

    Connection pinned = connect(pinsRight, "localhost", port);
    assertThat(TlsSession.of(pinned)).isPresent();

    assertThatThrownBy(() -> connect(pinsWrong, "localhost", port))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessage(
            "TLS handshake with localhost:"
                + port
                + " failed: the server's public key is not pinned: it is "
                + right
                + ", expected "
                + wrong)
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(PeerRejectedException.Reason.NOT_PINNED));
  }

  @Test
  void aPinIsCheckedOnTopOfTheCa() throws Exception {
    int port = serve(certs.serverCert(), certs.serverKey());
    PublicKeyPin server = PublicKeyPin.of(Pem.readCertificates(certs.serverCert()).getFirst());
    PublicKeyPin ca = PublicKeyPin.of(Pem.readCertificates(certs.caCert()).getFirst());
    PublicKeyPin other = PublicKeyPin.of(Pem.readCertificates(certs.otherCert()).getFirst());

    TlsTrust trust = TlsTrust.fromPem(certs.caCert());
    assertThat(
            TlsSession.of(
                connect(
                    TlsClientConfig.builder().trust(trust).pin(server).build(), "localhost", port)))
        .isPresent();
    // A pin may name the CA's key too, as long as the server sends that certificate: it does not.
    assertThatThrownBy(
            () ->
                connect(TlsClientConfig.builder().trust(trust).pin(ca).build(), "localhost", port))
        .hasMessageContaining("the server's public key is not pinned");
    assertThatThrownBy(
            () ->
                connect(
                    TlsClientConfig.builder().trust(trust).pin(other, ca).build(),
                    "localhost",
                    port))
        .hasMessageContaining("expected one of [" + other + ", " + ca + "]");
  }

  @Test
  void aServerThatNeedsAClientCertificateSaysSo() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .clientAuth(TlsServerConfig.ClientAuth.NEED, TlsTrust.fromPem(certs.caCert()))
                .build());
    var closed = new CompletableFuture<CloseReason>();
    Protocol recording =
        new EchoProtocol() {
          @Override
          public void closed(Connection connection, CloseReason reason) {
            closed.complete(reason);
          }
        };

    // TLS 1.3: the client is done with its side before the server looks at it.
    connect(trustingTheCa(), "localhost", port, recording);

    CloseReason reason = closed.get(15, TimeUnit.SECONDS);
    assertThat(reason.kind()).isEqualTo(CloseReason.Kind.ERROR);
    assertThat(reason.message())
        .isEqualTo(
            "TLS error with localhost:" + port + ": the server requires a client certificate");
    assertThatThrownBy(() -> serverHandshakes.take().get(15, TimeUnit.SECONDS))
        .hasCauseInstanceOf(SSLHandshakeException.class)
        .hasMessageEndingWith("the client sent no certificate, and one is required");
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefusedOnBothSides() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .clientAuth(TlsServerConfig.ClientAuth.NEED, TlsTrust.fromPem(certs.caCert()))
                .build());
    var client =
        TlsClientConfig.builder()
            .trust(TlsTrust.fromPem(certs.caCert()))
            .identity(TlsIdentity.fromPem(certs.selfSignedCert(), certs.selfSignedKey()))
            .build();
    var closed = new CompletableFuture<CloseReason>();

    connect(
        client,
        "localhost",
        port,
        new EchoProtocol() {
          @Override
          public void closed(Connection connection, CloseReason reason) {
            closed.complete(reason);
          }
        });

    assertThat(closed.get(15, TimeUnit.SECONDS).message())
        .isEqualTo(
            "TLS error with localhost:"
                + port
                + ": the server rejected our client certificate (certificate_unknown)");
    assertThatThrownBy(() -> serverHandshakes.take().get(15, TimeUnit.SECONDS))
        .hasMessageEndingWith(
            "the client's certificate is self-signed and not trusted (CN=localhost)");
  }

  @Test
  void aClientThatNeverSpeaksIsCutOffAfterTheHandshakeTimeout() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .handshakeTimeout(Duration.ofMillis(300))
                .build());

    try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), port)) {
      silent.setSoTimeout(10_000);
      assertThat(silent.getInputStream().read()).isEqualTo(-1);
    }
    assertThatThrownBy(() -> serverHandshakes.take().get(15, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ConnectionTimeoutException.class)
        .hasMessageContaining("TLS handshake with /127.0.0.1:")
        .hasMessageEndingWith(" not finished within 300 ms");
  }

  @Test
  void aServerThatNeverAnswersTimesTheClientOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = silent.getLocalPort();
      var config =
          TlsClientConfig.builder()
              .trust(TlsTrust.fromPem(certs.caCert()))
              .handshakeTimeout(Duration.ofMillis(300))
              .build();

      assertThatThrownBy(() -> connect(config, "localhost", port))
          .isInstanceOf(ConnectionTimeoutException.class)
          .hasMessage("TLS handshake with localhost:" + port + " not finished within 300 ms");
    }
  }

  @Test
  void plainTextToATlsPortIsToldApart() throws Exception {
    int port = serve(certs.serverCert(), certs.serverKey());

    try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port)) {
      plain.setSoTimeout(10_000);
      OutputStream out = plain.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = plain.getInputStream();
      in.readAllBytes(); // An alert, then the close.
    }
    assertThatThrownBy(() -> serverHandshakes.take().get(15, TimeUnit.SECONDS))
        .hasMessageEndingWith("the client does not speak TLS (plain text on a TLS port?)");
  }

  @Test
  void aPlainServerIsToldApart() throws Exception {
    Server server =
        Server.builder(group)
            .bind(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () ->
                    new Protocol() {
                      @Override
                      public void received(Connection connection, ByteBuffer data) {
                        data.position(data.limit());
                        connection.write(
                            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        connection.closeAfterFlush();
                      }
                    });
    closedAfter(server);

    assertThatThrownBy(() -> connect(trustingTheCa(), "localhost", server.port()))
        .isInstanceOf(SSLException.class)
        .hasMessage(
            "TLS handshake with localhost:"
                + server.port()
                + " failed: the server does not speak TLS (plain text on a TLS port?)");
  }

  /** The typed reason of a refused certificate, found in the failure's causes. */
  private static PeerRejectedException.Reason reasonOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PeerRejectedException rejected) {
        return rejected.reason();
      }
    }
    return null;
  }
}
