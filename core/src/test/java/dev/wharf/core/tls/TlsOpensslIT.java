package dev.wharf.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Protocol;
import dev.wharf.core.RecordingProtocol;
import dev.wharf.core.Server;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wharf's TLS against OpenSSL: our server with {@code s_client}, our client with {@code s_server}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsOpensslIT extends TlsFixture {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final EventLoopGroup group = group("tls-openssl-it");

  /** Echoes, and notes what each connection's handshake agreed on. */
  static final class SessionEcho implements Protocol {
    static final LinkedBlockingQueue<TlsSession> sessions = new LinkedBlockingQueue<>();
    static final LinkedBlockingQueue<CloseReason> closes = new LinkedBlockingQueue<>();

    @Override
    public void closed(Connection connection, CloseReason reason) {
      closes.add(reason);
    }

    @Override
    public void opened(Connection connection) {
      sessions.add(TlsSession.of(connection).orElseThrow());
    }

    @Override
    public void received(Connection connection, ByteBuffer data) {
      connection.write(data);
    }
  }

  private int serve(TlsServerConfig config) throws Exception {
    SessionEcho.sessions.clear();
    SessionEcho.closes.clear();
    Server server =
        closedAfter(
            Server.builder(group)
                .layer(TlsProtocol.serverLayer(config))
                .bind(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SessionEcho::new));
    return server.port();
  }

  private ExternalProcess openssl(String... arguments) throws Exception {
    var command = new ArrayList<String>();
    command.add("openssl");
    command.addAll(List.of(arguments));
    return closedAfter(ExternalProcess.start(dir, command));
  }

  /** s_client to our server, checking its certificate against the test CA. */
  private ExternalProcess sClient(int port, String... extra) throws Exception {
    var arguments =
        new ArrayList<>(
            List.of(
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-CAfile",
                certs.caCert().toString(),
                "-verify_return_error"));
    arguments.addAll(List.of(extra));
    return openssl(arguments.toArray(String[]::new));
  }

  /** Sends a line through s_client and waits for the echo. */
  private static String echoThrough(ExternalProcess client) throws Exception {
    client.awaitOutputContaining("Verify return code: 0 (ok)", WAIT);
    client.send("hello through openssl\n");
    String output =
        client.awaitOutput("the echo", WAIT, out -> out.contains("hello through openssl"));
    client.closeInput();
    client.awaitExit(WAIT);
    return output;
  }

  // ---- our server, openssl's client ----

  @Test
  void opensslClientGetsTls13AndTheAlpnProtocolAndAnEcho() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .alpn("h2", "echo")
                .build());

    String output = echoThrough(sClient(port, "-alpn", "echo", "-servername", "localhost"));

    assertThat(output).contains("TLSv1.3").contains("ALPN protocol: echo");
    TlsSession session = SessionEcho.sessions.poll(5, TimeUnit.SECONDS);
    assertThat(session).isNotNull();
    assertThat(session.protocol()).isEqualTo("TLSv1.3");
    assertThat(session.applicationProtocol()).contains("echo");
    assertThat(session.serverName()).contains("localhost");
    assertThat(session.peerCertificates()).isEmpty();
    assertThat(session.localCertificates().getFirst().getSubjectX500Principal().getName())
        .isEqualTo("CN=localhost");
  }

  @Test
  void opensslClientOnTls12GetsAnEcdheAeadSuite() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .build());

    String output = echoThrough(sClient(port, "-tls1_2"));

    assertThat(output)
        .containsPattern(
            "Cipher is ECDHE-ECDSA-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)");
    TlsSession session = SessionEcho.sessions.poll(5, TimeUnit.SECONDS);
    assertThat(session.protocol()).isEqualTo("TLSv1.2");
    assertThat(session.cipherSuite()).startsWith("TLS_ECDHE_ECDSA_WITH_");
  }

  @Test
  void opensslClientOnTls12WithCbcOnlyIsRefused() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .build());

    ExternalProcess client = sClient(port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256");
    client.closeInput();

    assertThat(client.awaitExit(WAIT)).isNotZero();
    assertThat(client.output()).contains("handshake failure");
    assertThat(SessionEcho.sessions).isEmpty();
  }

  @Test
  void tls11IsRefused() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .build());

    // OpenSSL itself allows TLS 1.1 only at security level 0.
    ExternalProcess client = sClient(port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
    client.closeInput();

    assertThat(client.awaitExit(WAIT)).isNotZero();
    assertThat(client.output()).containsIgnoringCase("protocol version");
    assertThat(SessionEcho.sessions).isEmpty();
  }

  @Test
  void keyUpdatesFromOpensslAreAnsweredAndTheConversationGoesOn() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .build());
    ExternalProcess client = sClient(port);
    client.awaitOutputContaining("Verify return code: 0 (ok)", WAIT);

    // s_client's commands: "K" sends a key update asking for ours in return, "k" one that does not.
    client.send("K\n");
    client.awaitOutputContaining("KEYUPDATE", WAIT);
    client.send("after the first update\n");
    client.awaitOutput(
        "the echo", WAIT, out -> out.contains("KEYUPDATE\nafter the first update\n"));
    client.send("k\n");
    // s_client drops the rest of what it read with a command: wait before the next line.
    client.awaitOutput(
        "the second key update",
        WAIT,
        out -> out.indexOf("KEYUPDATE") != out.lastIndexOf("KEYUPDATE"));
    client.send("after the second\n");
    client.awaitOutput("the echo", WAIT, out -> out.contains("after the second\n"));
    client.closeInput();
    assertThat(client.awaitExit(WAIT)).isZero();
  }

  @Test
  void renegotiationOnTls12IsRefused() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .build());
    ExternalProcess client = sClient(port, "-tls1_2");
    client.awaitOutputContaining("Verify return code: 0 (ok)", WAIT);
    client.send("before\n");
    client.awaitOutput("the echo", WAIT, out -> out.contains("before\n"));

    client.send("R\n");

    client.awaitOutputContaining("RENEGOTIATING", WAIT);
    client.awaitExit(WAIT);
    CloseReason reason = SessionEcho.closes.poll(5, TimeUnit.SECONDS);
    assertThat(reason).isNotNull();
    assertThat(reason.message())
        .matches("TLS error with /127\\.0\\.0\\.1:\\d+: renegotiation is not supported");
  }

  @Test
  void theNameTheClientAsksForPicksTheCertificate() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .certificate(TlsIdentity.fromPem(certs.otherCert(), certs.otherKey()))
                .build());

    String other = echoThrough(sClient(port, "-servername", "other.test"));
    String unknown = echoThrough(sClient(port, "-servername", "unknown.test"));
    String none = echoThrough(sClient(port, "-noservername"));

    assertThat(subject(other)).isEqualTo("CN = other.test");
    assertThat(subject(unknown)).isEqualTo("CN = localhost");
    assertThat(subject(none)).isEqualTo("CN = localhost");
  }

  @Test
  void anExplicitNameMapsToACertificateWhateverItsNames() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .certificate(
                    "*.example.test", TlsIdentity.fromPem(certs.otherCert(), certs.otherKey()))
                .build());

    // The certificate is for other.test, so openssl's own host check is off here.
    var client =
        openssl("s_client", "-connect", "127.0.0.1:" + port, "-servername", "www.example.test");
    client.awaitOutputContaining("Verify return code", WAIT);
    client.closeInput();
    client.awaitExit(WAIT);

    assertThat(subject(client.output())).isEqualTo("CN = other.test");
    assertThat(SessionEcho.sessions.poll(5, TimeUnit.SECONDS).serverName())
        .contains("www.example.test");
  }

  private static String subject(String sClientOutput) {
    Matcher m = Pattern.compile("(?m)^subject=(.*)$").matcher(sClientOutput);
    assertThat(m.find()).as("s_client printed the subject:\n%s", sClientOutput).isTrue();
    return m.group(1).trim();
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificateAndAcceptsOneWithIt() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .clientAuth(TlsServerConfig.ClientAuth.NEED, TlsTrust.fromPem(certs.caCert()))
                .build());

    // Under TLS 1.3 the client finishes first; the server's alert then ends its session.
    ExternalProcess without = sClient(port);
    without.awaitExit(WAIT);
    assertThat(without.output()).contains("certificate required");
    assertThat(SessionEcho.sessions).isEmpty();

    String with =
        echoThrough(
            sClient(
                port,
                "-cert",
                certs.clientCert().toString(),
                "-key",
                certs.clientKey().toString()));
    assertThat(with).contains("hello through openssl");
    TlsSession session = SessionEcho.sessions.poll(5, TimeUnit.SECONDS);
    assertThat(session.peerCertificate().orElseThrow().getSubjectX500Principal().getName())
        .isEqualTo("CN=wharf client");
  }

  @Test
  void mutualTlsRefusesAClientCertificateFromAnotherCa() throws Exception {
    int port =
        serve(
            TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                .clientAuth(TlsServerConfig.ClientAuth.WANT, TlsTrust.fromPem(certs.caCert()))
                .build());

    ExternalProcess client =
        sClient(
            port,
            "-cert",
            certs.selfSignedCert().toString(),
            "-key",
            certs.selfSignedKey().toString());
    client.awaitExit(WAIT);

    assertThat(client.output())
        .containsAnyOf("certificate unknown", "bad certificate", "unknown ca");
    assertThat(SessionEcho.sessions).isEmpty();
  }

  // ---- openssl's server, our client ----

  /** Starts s_server on a free port; returns its port. */
  private int sServer(String... extra) throws Exception {
    var arguments =
        new ArrayList<>(
            List.of(
                "s_server",
                "-accept",
                "127.0.0.1:0",
                "-cert",
                certs.serverCert().toString(),
                "-key",
                certs.serverKey().toString()));
    arguments.addAll(List.of(extra));
    ExternalProcess server = openssl(arguments.toArray(String[]::new));
    String output =
        server.awaitOutput("ACCEPT", WAIT, out -> out.matches("(?s).*ACCEPT \\S+:\\d+\\s.*"));
    Matcher m = Pattern.compile("ACCEPT \\S+:(\\d+)").matcher(output);
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private dev.wharf.core.Client client(TlsClientConfig config) {
    return dev.wharf.core.Client.builder(group).layer(TlsProtocol.clientLayer(config)).build();
  }

  @Test
  void wharfClientFetchesOpensslsStatusPage() throws Exception {
    int port = sServer("-www");
    var page = new RecordingProtocol();

    Connection connection =
        client(
                TlsClientConfig.builder()
                    .trust(TlsTrust.fromPem(certs.caCert()))
                    .alpn("http/1.1")
                    .build())
            .connect("localhost", port, page)
            .get(15, TimeUnit.SECONDS);
    connection.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    CloseReason reason = page.closed.get(15, TimeUnit.SECONDS);

    assertThat(page.receivedText()).startsWith("HTTP/1.0 200 ok").contains("TLSv1.3");
    assertThat(reason.isFailure()).as("closed with %s", reason).isFalse();
    TlsSession session = TlsSession.of(connection).orElseThrow();
    assertThat(session.protocol()).isEqualTo("TLSv1.3");
    assertThat(session.serverName()).contains("localhost");
    assertThat(session.peerCertificate().orElseThrow().getSubjectX500Principal().getName())
        .isEqualTo("CN=localhost");
  }

  @Test
  void wharfClientSpeaksTls12ToAnOpensslServerLimitedToIt() throws Exception {
    int port = sServer("-www", "-tls1_2");
    var page = new RecordingProtocol();

    Connection connection =
        client(TlsClientConfig.builder().trust(TlsTrust.fromPem(certs.caCert())).build())
            .connect(new InetSocketAddress("127.0.0.1", port), page)
            .get(15, TimeUnit.SECONDS);
    connection.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    page.closed.get(15, TimeUnit.SECONDS);

    assertThat(page.receivedText()).startsWith("HTTP/1.0 200 ok").contains("TLSv1.2");
    assertThat(TlsSession.of(connection).orElseThrow().protocol()).isEqualTo("TLSv1.2");
    assertThat(TlsSession.of(connection).orElseThrow().serverName()).isEmpty(); // No SNI for an IP.
  }

  @Test
  void wharfClientShowsItsCertificateToAnOpensslServerThatAsks() throws Exception {
    int port = sServer("-www", "-Verify", "1", "-CAfile", certs.caCert().toString());
    var page = new RecordingProtocol();

    Connection connection =
        client(
                TlsClientConfig.builder()
                    .trust(TlsTrust.fromPem(certs.caCert()))
                    .identity(TlsIdentity.fromPem(certs.clientCert(), certs.clientKey()))
                    .build())
            .connect("localhost", port, page)
            .get(15, TimeUnit.SECONDS);
    connection.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    page.closed.get(15, TimeUnit.SECONDS);

    // -Verify 1 makes a certificate required; the page shows the one it checked.
    assertThat(page.receivedText())
        .startsWith("HTTP/1.0 200 ok")
        .contains("Verify return code: 0 (ok)")
        .contains("Subject: CN=wharf client");
  }

  @Test
  void wharfClientEchoesThroughOpensslsReversingServer() throws Exception {
    int port = sServer("-rev");
    var echo = new RecordingProtocol();

    Connection connection =
        client(TlsClientConfig.builder().trust(TlsTrust.fromPem(certs.caCert())).build())
            .connect("localhost", port, echo)
            .get(15, TimeUnit.SECONDS);
    connection.write("stressed\n".getBytes(StandardCharsets.US_ASCII));

    Await.until("the reversed line", () -> echo.receivedText().contains("desserts"));
    connection.close();
  }
}
