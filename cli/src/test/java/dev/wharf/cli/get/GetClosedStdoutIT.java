package dev.wharf.cli.get;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code wharf get URL | head -c 10}: as curl, the download stops when stdout closes, with 23. */
class GetClosedStdoutIT extends EndToEnd {

  @Test
  void aClosedStdoutStopsTheDownloadWithExit23() throws Exception {
    // 200 MiB at 1.25 MiB/s: a client that does not stop would still be at it long after.
    int port = trickleServer();

    Child get = wharf(null, null, "get", "http://127.0.0.1:" + port + "/big.bin");
    try (InputStream stdout = get.process().getInputStream()) {
      assertThat(stdout.readNBytes(10)).hasSize(10); // What head -c 10 does, then it exits.
    }

    assertThat(get.awaitExit()).isEqualTo(CurlExit.WRITE_ERROR);
    assertThat(get.errLines()).singleElement().asString().startsWith("wharf get: cannot write");
  }

  @Test
  void aClosedStdoutDuringAFastDownloadSaysSoOnce() throws Exception {
    // Python's http.server sends 4 MiB at once: what is still buffered when the pipe closes must
    // not fail a second time with a second line (it printed "wharf get: broken pipe" too).
    Path file = randomFile("fast.bin", 4 << 20);
    int port = pythonHttpServer(file.getParent(), file.resolveSibling("python.out"));

    Child get = wharf(null, null, "get", "http://127.0.0.1:" + port + "/fast.bin");
    try (InputStream stdout = get.process().getInputStream()) {
      assertThat(stdout.readNBytes(5)).hasSize(5); // head -c 5
    }

    assertThat(get.awaitExit()).isEqualTo(CurlExit.WRITE_ERROR);
    assertThat(get.errLines())
        .singleElement()
        .asString()
        .isEqualTo("wharf get: cannot write the body: broken pipe");
  }
}
