package dev.wharf.cli.socket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.TlsEndToEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf connect --tls} and {@code wharf listen --tls}, ncat --ssl style, against openssl's
 * server and client, each other, and over Unix sockets.
 */
class ConnectListenTlsIT extends TlsEndToEnd {
  private static final String HANDSHAKE = "TLSv1\\.3 TLS_AES_\\w+";

  /**
   * Starts {@code wharf listen --tls -v} with the test CA's server certificate, then {@code more}.
   */
  private Child listenWithTestCertificate(Path stdin, Path stdout, String... more)
      throws Exception {
    String cert = certs.serverCert().toString();
    String key = certs.serverKey().toString();
    var args = new ArrayList<>(List.of("listen", "--tls", "-v", "--cert", cert, "--key", key));
    args.addAll(List.of(more));
    return wharf(stdin, stdout, args.toArray(String[]::new));
  }

  /** Starts {@code wharf connect --tls} to {@code host port}, trusting the test CA. */
  private Child connectTrustingTheCa(Path stdout, String host, int port, String... more)
      throws Exception {
    var args = new ArrayList<>(List.of("connect", "--tls", "--cacert", certs.caCert().toString()));
    args.addAll(List.of(more));
    args.addAll(List.of(host, String.valueOf(port)));
    return wharf(null, stdout, args.toArray(String[]::new));
  }

  @Test
  void connectToOpensslServerIsByteExactBothWays() throws Exception {
    Path toServer = randomFile("to-server", 700 * 1024);
    Path toClient = randomFile("to-client", 500 * 1024);
    Path serverGot = dir.resolve("server-got");
    Path clientGot = dir.resolve("client-got");
    Child server = sServer(serverGot, certs.serverCert(), certs.serverKey());
    int port = listeningPort(server);

    Child wharf = connectTrustingTheCa(clientGot, "localhost", port, "-v");
    var sent = feed(wharf, toServer);
    var answered = feed(server, toClient);
    awaitSize(serverGot, Files.size(toServer));
    awaitSize(clientGot, Files.size(toClient));
    sent.get(10, TimeUnit.SECONDS);
    answered.get(10, TimeUnit.SECONDS);
    // Our close_notify ends s_server's session; it closes and we exit.
    closeStdin(wharf);

    assertThat(wharf.awaitExit()).as("stderr: %s", wharf.errLines()).isZero();
    assertThat(sha256(serverGot)).isEqualTo(sha256(toServer));
    assertThat(sha256(clientGot)).isEqualTo(sha256(toClient));
    wharf.awaitErr(
        "wharf connect: "
            + HANDSHAKE
            + ", ALPN none, SNI localhost, certificate CN=localhost \\(issuer CN=Wharf Test CA,"
            + " expires \\d{4}-\\d\\d-\\d\\d\\), handshake [\\d.]+ ms$");
  }

  @Test
  void listenServesOpensslClientAndTellsTheNameAndProtocolItAskedFor() throws Exception {
    Path fromClient = randomFile("from-client", 600 * 1024);
    Path toClient = randomFile("to-client", 400 * 1024);
    Path heard = dir.resolve("heard");
    Path clientGot = dir.resolve("client-got");
    Child listen = listenWithTestCertificate(null, heard, "--alpn", "echo,chat", "127.0.0.1:0");
    int port = listeningPort(listen, "tcp");

    Child client =
        openssl(
            fromClient,
            clientGot,
            "s_client",
            "-quiet",
            "-connect",
            "127.0.0.1:" + port,
            "-servername",
            "localhost",
            "-alpn",
            "chat",
            "-CAfile",
            certs.caCert().toString(),
            "-verify_return_error");
    var answered = feed(listen, toClient);
    awaitSize(heard, Files.size(fromClient));
    awaitSize(clientGot, Files.size(toClient));
    answered.get(10, TimeUnit.SECONDS);
    closeStdin(listen);

    assertThat(listen.awaitExit()).as("stderr: %s", listen.errLines()).isZero();
    assertThat(client.awaitExit()).isZero();
    assertThat(sha256(heard)).isEqualTo(sha256(fromClient));
    assertThat(sha256(clientGot)).isEqualTo(sha256(toClient));
    listen.awaitErr(
        "wharf listen: "
            + HANDSHAKE
            + ", ALPN chat, SNI localhost, no client certificate, handshake [\\d.]+ ms$");
  }

  @Test
  void clientCaRefusesAClientWithoutACertificateAndServesOneWithIt() throws Exception {
    Path heard = dir.resolve("heard");
    Path toServer = randomFile("to-server", 100 * 1024);
    Path nothing = Files.write(dir.resolve("nothing"), new byte[0]);
    Child listen =
        listenWithTestCertificate(
            nothing, heard, "--client-ca", certs.caCert().toString(), "127.0.0.1:0");
    int port = listeningPort(listen, "tcp");
    String ca = certs.caCert().toString();

    // It sends nothing: under TLS 1.3 the client's handshake ends before the server checks it,
    // so the refusal comes as an alert on the first read (a write racing it may meet a reset).
    Child without = wharf(null, null, "connect", "--tls", "--cacert", ca, "localhost", "" + port);
    assertThat(without.awaitExit()).isEqualTo(1);
    assertThat(without.errLines()).hasSize(1);
    assertThat(without.errLines().getFirst())
        .startsWith("wharf connect: ")
        .contains("the server requires a client certificate");
    listen.awaitErr("failed: the client sent no certificate, and one is required");

    Child with =
        wharf(
            toServer,
            null,
            "connect",
            "--tls",
            "--cacert",
            ca,
            "--cert",
            certs.clientCert().toString(),
            "--key",
            certs.clientKey().toString(),
            "localhost",
            "" + port);
    assertThat(with.awaitExit()).as("stderr: %s", with.errLines()).isZero();
    assertThat(listen.awaitExit()).isZero();
    assertThat(sha256(heard)).isEqualTo(sha256(toServer));
    listen.awaitErr(
        "wharf listen: "
            + HANDSHAKE
            + ", ALPN none, SNI localhost, client certificate CN=wharf client \\(issuer CN=Wharf"
            + " Test CA, expires \\d{4}-\\d\\d-\\d\\d\\), handshake [\\d.]+ ms$");
  }

  @Test
  void overAUnixSocketWithTheSelfSignedCertificate() throws Exception {
    Path socket = dir.resolve("tls.sock");
    Path toServer = randomFile("to-server", 300 * 1024);
    Path toClient = randomFile("to-client", 200 * 1024);
    Path heard = dir.resolve("heard");
    Path got = dir.resolve("got");
    Child listen = wharf(toClient, heard, "listen", "--tls", "-v", "--unix", socket.toString());
    listen.awaitErr("listening on unix .* with TLS");
    String certificate =
        listen.awaitErr("TLS certificate: (\\S+) \\(self-signed; SHA-256 ").group(1);
    assertThat(listen.errLines())
        .contains(
            "wharf listen: Clients trust it with --cacert "
                + certificate
                + " (openssl: -CAfile "
                + certificate
                + ")");

    Child connect =
        wharf(
            toServer,
            got,
            "connect",
            "--tls",
            "--cacert",
            certificate,
            "--unix",
            socket.toString());

    assertThat(connect.awaitExit()).as("stderr: %s", connect.errLines()).isZero();
    assertThat(listen.awaitExit()).isZero();
    assertThat(sha256(heard)).isEqualTo(sha256(toServer));
    assertThat(sha256(got)).isEqualTo(sha256(toClient));
    assertThat(socket).doesNotExist();
  }

  @Test
  void connectRefusesAServerWithAnotherNameInOneLine() throws Exception {
    Child server = sServer(null, certs.otherCert(), certs.otherKey());
    int port = listeningPort(server);

    Child wharf = connectTrustingTheCa(null, "127.0.0.1", port);

    wharf.assertExitsWith(
        1,
        "wharf connect: TLS handshake with 127.0.0.1:"
            + port
            + " failed: the server's certificate is not for 127.0.0.1 but for other.test");
  }
}
