package dev.wharf.cli.get;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code wharf get --max-time} against a server that sends a large body slowly. */
class GetMaxTimeIT extends EndToEnd {
  private static final long ANNOUNCED = 200L * 1024 * 1024;

  @Test
  void aDownloadCutShortExits28AndLeavesThePartialFileAsCurlDoes() throws Exception {
    int port = trickleServer();
    Path partial = dir.resolve("big.bin");

    // stdout and stderr are pipes, not a terminal: no progress bar, just the outcome.
    long started = System.nanoTime();
    Child get =
        wharf(
            null,
            null,
            "get",
            "-o",
            partial.toString(),
            "--max-time",
            "1",
            "http://127.0.0.1:" + port + "/big.bin");

    assertThat(get.awaitExit()).isEqualTo(CurlExit.TIMED_OUT);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    // A JVM's start counts too; what matters is that it did not wait for 200 MiB at 1.25 MiB/s.
    assertThat(tookMillis).isBetween(1000L, 8000L);
    long kept = Files.size(partial);
    assertThat(kept).isPositive().isLessThan(ANNOUNCED);
    assertThat(get.errLines())
        .containsExactly(
            "wharf get: no complete response within 1 s; "
                + kept
                + " of "
                + ANNOUNCED
                + " bytes received, the partial body is in "
                + partial);
  }
}
