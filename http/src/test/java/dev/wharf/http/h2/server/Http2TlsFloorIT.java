package dev.wharf.http.h2.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.tls.TlsIdentity;
import dev.wharf.core.tls.TlsServerConfig;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9113 §9.2 against a real client (openssl s_client offering ALPN h2): h2 is agreed on TLS 1.3
 * and on TLS 1.2 with an ephemeral AEAD suite; a client that offers only TLS 1.1, or only suites on
 * RFC 9113's block list, gets no TLS at all (the server's handshake alert), so never h2 over weak
 * TLS. The client is set to security level 0 so that the refusal is the server's, not its own.
 */
class Http2TlsFloorIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path certDir;
  static TestCertificates certs;

  private final EventLoopGroup group = new EventLoopGroup(1, "h2-tls-floor", true);
  private HttpServer server;

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(certDir);
  }

  @BeforeEach
  void start() throws Exception {
    server =
        HttpServer.builder(group)
            .http2(true)
            .get("/hello", (request, response) -> response.send("hello\n"))
            .tls(
                TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey()))
                    .build())
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "-tls1_3, '', TLSv1.3",
    "-tls1_2, ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256, TLSv1.2",
    "-tls1_2, ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-CHACHA20-POLY1305, TLSv1.2",
  })
  void strongTlsAgreesOnH2(String version, String ciphers, String protocol) throws Exception {
    String out = handshake(version, ciphers);
    assertThat(out).contains("ALPN protocol: h2").contains("New, " + protocol + ", Cipher is");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    // §9.2: older than TLS 1.2
    "-tls1_1, ALL",
    "-tls1, ALL",
    // Appendix A: RSA key exchange (not ephemeral), CBC, NULL ciphers
    "-tls1_2, AES128-GCM-SHA256:AES256-GCM-SHA384",
    "-tls1_2, ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA",
    "-tls1_2, ECDHE-RSA-NULL-SHA:ECDHE-ECDSA-NULL-SHA",
  })
  void weakTlsGetsNoHandshakeAtAll(String version, String ciphers) throws Exception {
    String out = handshake(version, ciphers);
    assertThat(out).doesNotContain("ALPN protocol: h2").contains("alert");
    assertThat(out).containsAnyOf("Cipher is (NONE)", "Cipher    : 0000");
  }

  @Test
  void curlLimitedToTls11CannotConnect() throws Exception {
    var curl =
        ExternalProcess.run(
            WAIT,
            "curl",
            "-sS",
            "-k",
            "--http2",
            "--tlsv1.0",
            "--tls-max",
            "1.1",
            "--ciphers",
            "DEFAULT:@SECLEVEL=0",
            "--max-time",
            "10",
            "https://127.0.0.1:" + server.port() + "/hello");
    assertThat(curl.exit()).as(curl.err()).isNotZero();
    assertThat(curl.out()).isEmpty();
  }

  private String handshake(String version, String ciphers) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + server.port(),
                "-servername",
                "localhost",
                "-alpn",
                "h2,http/1.1",
                version));
    if (!ciphers.isEmpty()) {
      command.addAll(List.of("-cipher", ciphers + ":@SECLEVEL=0"));
    }
    // s_client reads stdin: an empty one makes it send close_notify after the handshake.
    var result =
        ExternalProcess.run(
            WAIT, List.of("sh", "-c", String.join(" ", quoted(command)) + " </dev/null 2>&1"));
    return result.out();
  }

  private static List<String> quoted(List<String> words) {
    return words.stream().map(w -> "'" + w + "'").toList();
  }
}
