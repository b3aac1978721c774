package dev.wharf.bench.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.bench.GeneratorWindows;
import dev.wharf.bench.http.BoundServer;
import dev.wharf.testkit.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three TLS echo servers of {@code bench/run tls} take full handshakes and echo bulk data for
 * the benchmark's generator, with the certificate openssl makes, and all negotiate the suite the
 * generator offers.
 */
class TlsServersIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"wharf", "netty-nio", "netty-epoll"})
  void handshakesAndEchoesForTheGenerator(String impl) throws Exception {
    var certs = TestCertificates.createSelfSigned(dir);
    BoundServer server =
        TlsServerMain.start(
            impl,
            new InetSocketAddress("127.0.0.1", 0),
            1,
            certs.selfSignedCert(),
            certs.selfSignedKey());
    try {
      for (List<String> load :
          List.of(
              // A handshake in a cold JVM on a busy machine takes most of a second: a window of 3 s
              // sees some.
              List.of("handshake", "--concurrency", "4", "--duration", "3"),
              List.of("bulk", "--conns", "2", "--size", "16384", "--window", "2"))) {
        var args =
            new ArrayList<>(
                List.of(
                    "--port",
                    Integer.toString(server.port()),
                    "--cert",
                    certs.selfSignedCert().toString(),
                    "--warmup",
                    "0.3",
                    "--duration",
                    "0.5",
                    "--repeats",
                    "1"));
        args.addAll(load); // last: its options win
        var lines = new ArrayList<String>();
        long errors = TlsLoadGen.run(args.toArray(String[]::new), lines::add);

        assertThat(errors).as("errors, output %s", lines).isZero();
        String result =
            lines.stream().filter(l -> l.startsWith("RESULT")).findFirst().orElseThrow();
        var figures = GeneratorWindows.figures(result);
        assertThat(figures.getOrDefault("handshakes", figures.get("msgs"))).as(result).isPositive();
        assertThat(GeneratorWindows.text(result, "negotiated"))
            .isEqualTo("TLSv1.3/TLS_AES_128_GCM_SHA256");
      }
    } finally {
      server.stop().run();
    }
  }
}
