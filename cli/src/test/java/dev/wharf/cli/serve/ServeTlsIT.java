package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.TlsEndToEnd;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code wharf serve --tls} with curl and openssl as its clients. */
class ServeTlsIT extends TlsEndToEnd {
  private static final Pattern SELF_SIGNED =
      Pattern.compile("TLS certificate: (\\S+) \\(self-signed; SHA-256 ([0-9A-F:]{95})\\)");
  private static final String REQUEST =
      "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

  private Path root;
  private Child lastWharf;

  private Path www() throws Exception {
    if (root == null) {
      root = Files.createDirectory(dir.resolve("www"));
      Files.writeString(root.resolve("hello.txt"), "hello over tls\n");
    }
    return root;
  }

  /** Starts serve with these options; returns its port once it prints it. */
  private int serve(Path out, Map<String, String> environment, String... tlsArgs) throws Exception {
    var args = new ArrayList<>(List.of("--tls"));
    args.addAll(List.of(tlsArgs));
    lastWharf =
        wharf(environment, null, out, serveOnLoopbackArgs(www(), args.toArray(String[]::new)));
    return servedPort(out, "https");
  }

  /** Starts serve with the test CA's PEM certificate and key for localhost, then {@code more}. */
  private int serveWithTestCertificate(Path out, String... more) throws Exception {
    var args =
        new ArrayList<>(
            List.of(
                "--cert", certs.serverCert().toString(), "--key", certs.serverKey().toString()));
    args.addAll(List.of(more));
    return serve(out, Map.of(), args.toArray(String[]::new));
  }

  /** Starts serve with the PKCS#12 file, its password in {@code variable}: for runs that fail. */
  private Child servePkcs12(Map<String, String> environment, String variable) throws Exception {
    return wharf(
        environment,
        null,
        null,
        "serve",
        www().toString(),
        "-p",
        "0",
        "--tls",
        "--pkcs12",
        certs.serverP12().toString(),
        "--pkcs12-password-env",
        variable);
  }

  private Child curl(String... args) throws Exception {
    var command = new ArrayList<>(List.of("curl", "-sS", "-f"));
    command.addAll(List.of(args));
    return peer(null, null, command.toArray(String[]::new));
  }

  private static Matcher find(Pattern pattern, Path file) throws Exception {
    Matcher matcher = pattern.matcher(Files.readString(file));
    assertThat(matcher.find()).as("%s in %s", pattern, Files.readString(file)).isTrue();
    return matcher;
  }

  @Test
  void selfSignedCertificateIsPrintedTrustedByCurlWithCacertAndKeptForTheNextRun()
      throws Exception {
    Path file = randomFile("www-data.bin", 1 << 20);
    Files.move(file, www().resolve("data.bin"));
    Path out = dir.resolve("serve.out");
    int port = serve(out, Map.of());
    Matcher printed = find(SELF_SIGNED, out);
    Path certificate = Path.of(printed.group(1));
    String fingerprint = printed.group(2);

    assertThat(certificate)
        .isEqualTo(dataHome().resolve("wharf").resolve("tls").resolve("self-signed.crt"));
    assertThat(Files.readString(out))
        .contains("Made a self-signed TLS certificate for localhost, 127.0.0.1, ::1")
        .contains(
            "Clients trust it with: curl --cacert "
                + certificate
                + " https://localhost:"
                + port
                + "/  or  wharf get --cacert "
                + certificate
                + " https://localhost:"
                + port
                + "/");
    assertThat(
            run(
                    "openssl",
                    "x509",
                    "-in",
                    certificate.toString(),
                    "-noout",
                    "-fingerprint",
                    "-sha256")
                .strip())
        .endsWith("=" + fingerprint);

    // Two files over one kept-alive connection, checked against the kept certificate by curl.
    Path got = dir.resolve("got.bin");
    Path hello = dir.resolve("hello.txt");
    Child curl =
        curl(
            "-v",
            "--cacert",
            certificate.toString(),
            "-o",
            got.toString(),
            "https://127.0.0.1:" + port + "/data.bin",
            "-o",
            hello.toString(),
            "https://127.0.0.1:" + port + "/hello.txt");
    assertThat(curl.awaitExit()).as("curl: %s", curl.errLines()).isZero();
    assertThat(sha256(got)).isEqualTo(sha256(www().resolve("data.bin")));
    assertThat(Files.readString(hello)).isEqualTo("hello over tls\n");
    assertThat(curl.errLines())
        .anyMatch(line -> line.contains("SSL connection using TLSv1.3"))
        .anyMatch(line -> line.contains("ALPN: server accepted h2"))
        .anyMatch(line -> line.contains("Re-using existing connection"));
    Child server = lastWharf;
    server.awaitErr("\"GET /hello.txt HTTP/2.0\" 200 15");
    server.end();

    // The next run finds the kept certificate: same file, same fingerprint, nothing made.
    Path again = dir.resolve("again.out");
    serve(again, Map.of());
    Matcher second = find(SELF_SIGNED, again);
    assertThat(second.group(1)).isEqualTo(certificate.toString());
    assertThat(second.group(2)).isEqualTo(fingerprint);
    assertThat(Files.readString(again)).doesNotContain("Made a self-signed");
  }

  /**
   * An http:// URL sent to serve --tls is answered in plain text, 400 with the https:// URL, as
   * nginx answers it, and logged: by curl over HTTP/1.1 and with HTTP/2 by prior knowledge
   * (--http2-prior-knowledge; it read "Empty reply from server" before), and for OPTIONS *, which
   * the server otherwise answers itself.
   */
  @Test
  void plainHttpToTheTlsPortIsA400OverHttp1AndHttp2() throws Exception {
    Path out = dir.resolve("serve.out");
    int port = serveWithTestCertificate(out);
    String answer =
        "400 Bad Request: this port speaks HTTPS, and the request came in plain HTTP. Use"
            + " https://localhost:"
            + port
            + "/hello.txt.";
    for (String version : List.of("--http1.1", "--http2-prior-knowledge")) {
      Path body = dir.resolve("body" + version);
      var curl =
          peer(
              null,
              body,
              "curl",
              "-sS",
              version,
              "-w",
              "%{http_version} %{http_code}\n",
              "http://localhost:" + port + "/hello.txt");
      assertThat(curl.awaitExit()).as("curl %s: %s", version, curl.errLines()).isZero();
      assertThat(Files.readString(body))
          .isEqualTo(answer + "\n" + (version.equals("--http1.1") ? "1.1" : "2") + " 400\n");
    }
    lastWharf.awaitErr("\"GET /hello.txt HTTP/2.0\" 400 ");

    Path options = dir.resolve("options");
    var curl =
        peer(
            null,
            options,
            "curl",
            "-sS",
            "-X",
            "OPTIONS",
            "--request-target",
            "*",
            "-w",
            "%{http_code}",
            "http://localhost:" + port);
    assertThat(curl.awaitExit()).as("curl: %s", curl.errLines()).isZero();
    assertThat(Files.readString(options)).endsWith("Use https://localhost:" + port + "/.\n400");
  }

  @Test
  void http1OnlyAgreesOnHttp11WithACurlThatOffersH2() throws Exception {
    Path out = dir.resolve("serve.out");
    int port = serveWithTestCertificate(out, "--http1-only");
    Child curl =
        curl(
            "-v",
            "--http2",
            "--cacert",
            certs.caCert().toString(),
            "https://localhost:" + port + "/hello.txt");
    assertThat(curl.awaitExit()).as("curl: %s", curl.errLines()).isZero();
    assertThat(curl.errLines())
        .anyMatch(line -> line.contains("ALPN: server accepted http/1.1"))
        .noneMatch(line -> line.contains("ALPN: server accepted h2"));
    lastWharf.awaitErr("\"GET /hello.txt HTTP/1.1\" 200 15");
  }

  @Test
  void pemCertificateAgreesOnHttp11ByAlpnWithOpensslSClient() throws Exception {
    Path out = dir.resolve("serve.out");
    int port = serveWithTestCertificate(out);
    assertThat(Files.readString(out))
        .containsPattern(
            "TLS certificate: "
                + Pattern.quote(certs.serverCert().toString())
                + " \\(CN=localhost, issuer CN=Wharf Test CA, expires \\d{4}-\\d\\d-\\d\\d;"
                + " SHA-256 [0-9A-F:]{95}\\)");
    Path request = Files.writeString(dir.resolve("request"), REQUEST);
    Path answer = dir.resolve("answer");

    Child client =
        openssl(
            request,
            answer,
            "s_client",
            "-connect",
            "127.0.0.1:" + port,
            "-servername",
            "localhost",
            "-alpn",
            "http/1.1",
            "-CAfile",
            certs.caCert().toString(),
            "-verify_return_error",
            "-ign_eof");

    assertThat(client.awaitExit()).isZero();
    assertThat(Files.readString(answer, StandardCharsets.ISO_8859_1))
        .contains("ALPN protocol: http/1.1")
        .contains("Verify return code: 0 (ok)")
        .contains("HTTP/1.1 200 OK")
        .contains("hello over tls");
  }

  @Test
  void pkcs12PasswordComesFromTheNamedEnvironmentVariableOnly() throws Exception {
    Path out = dir.resolve("serve.out");
    int port =
        serve(
            out,
            Map.of("WHARF_TEST_P12", TestCertificates.P12_PASSWORD),
            "--pkcs12",
            certs.serverP12().toString(),
            "--pkcs12-password-env",
            "WHARF_TEST_P12");
    Path got = dir.resolve("got");
    Child curl =
        curl(
            "--cacert",
            certs.caCert().toString(),
            "-o",
            got.toString(),
            "https://localhost:" + port + "/hello.txt");
    assertThat(curl.awaitExit()).as("curl: %s", curl.errLines()).isZero();
    assertThat(Files.readString(got)).isEqualTo("hello over tls\n");

    Child unset = servePkcs12(Map.of(), "WHARF_TEST_UNSET_VARIABLE");
    unset.assertExitsWith(
        2,
        "wharf serve: --pkcs12-password-env: the environment variable"
            + " WHARF_TEST_UNSET_VARIABLE is not set");

    Child wrong = servePkcs12(Map.of("WHARF_TEST_P12", "not the password"), "WHARF_TEST_P12");
    assertThat(wrong.awaitExit()).isEqualTo(1);
    assertThat(wrong.errLines()).hasSize(1);
    assertThat(wrong.errLines().getFirst())
        .startsWith("wharf serve: --pkcs12: ")
        .doesNotContain("not the password");
  }

  @Test
  void clientCaLetsInCurlWithACertificateOnly() throws Exception {
    Path out = dir.resolve("serve.out");
    int port = serveWithTestCertificate(out, "--client-ca", certs.caCert().toString());
    String url = "https://localhost:" + port + "/hello.txt";

    Child with =
        curl(
            "--cacert",
            certs.caCert().toString(),
            "--cert",
            certs.clientCert().toString(),
            "--key",
            certs.clientKey().toString(),
            "-o",
            dir.resolve("got").toString(),
            url);
    Child without = curl("--cacert", certs.caCert().toString(), "-o", "/dev/null", url);

    assertThat(with.awaitExit()).as("curl: %s", with.errLines()).isZero();
    assertThat(Files.readString(dir.resolve("got"))).isEqualTo("hello over tls\n");
    assertThat(without.awaitExit()).isNotZero();
  }

  @Test
  void aReplacedCertificateIsServedToNewConnectionsWhileOpenOnesGoOn() throws Exception {
    Path cert = Files.copy(certs.serverCert(), dir.resolve("live.pem"));
    Path key = Files.copy(certs.serverKey(), dir.resolve("live.key"));
    Path out = dir.resolve("serve.out");
    int port = serve(out, Map.of(), "--cert", cert.toString(), "--key", key.toString());
    // A kept-alive connection made with the first certificate.
    Path answers = dir.resolve("answers");
    Child open =
        openssl(
            null,
            answers,
            "s_client",
            "-quiet",
            "-connect",
            "127.0.0.1:" + port,
            "-CAfile",
            certs.caCert().toString(),
            "-verify_return_error");
    var keepAlive =
        "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    open.process().getOutputStream().write(keepAlive);
    open.process().getOutputStream().flush();
    awaitCount(answers, "hello over tls", 1);

    // Replace both files (key first: a new certificate with the old key is never seen).
    Path nextKey = Files.copy(certs.otherKey(), dir.resolve("next.key"));
    Path nextCert = Files.copy(certs.otherCert(), dir.resolve("next.pem"));
    Files.move(nextKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.move(nextCert, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

    // Handshakes look at the files at most every 2 s; new connections get other.test from then.
    var attempts = new AtomicInteger();
    Await.until( // The reload waits on a clock; probe it every 200 ms.
        "the new certificate (still the old one after 20 s)",
        Duration.ofSeconds(20),
        Duration.ofMillis(200),
        () -> {
          Child probe =
              curl(
                  "--cacert",
                  certs.caCert().toString(),
                  "--resolve",
                  "other.test:" + port + ":127.0.0.1",
                  "-o",
                  "/dev/null",
                  "https://other.test:" + port + "/hello.txt");
          attempts.incrementAndGet();
          return probe.awaitExit() == 0;
        });
    assertThat(attempts.get()).isLessThan(100);

    // The connection made before goes on with its certificate.
    open.process().getOutputStream().write(keepAlive);
    open.process().getOutputStream().flush();
    awaitCount(answers, "hello over tls", 2);
    closeStdin(open);
  }

  /** Waits until {@code text} appears {@code count} times in a file a child writes. */
  private static void awaitCount(Path file, String text, int count) throws Exception {
    var content = new AtomicReference<>("");
    boolean seen =
        Await.within( // A file has nothing to block on; poll.
            Duration.ofSeconds(10),
            Duration.ofMillis(20),
            () -> {
              content.set(
                  Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "");
              return content.get().split(Pattern.quote(text), -1).length - 1 >= count;
            });
    assertThat(seen).as("%d times %s in %s", count, text, content.get()).isTrue();
  }
}
