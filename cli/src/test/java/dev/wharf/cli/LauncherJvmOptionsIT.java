package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./wharf} launcher's choice of compilers for {@code get} (issue 16): without TLS it
 * runs without the optimizing compiler (C1 alone: less CPU for a small file and for a plain bulk
 * transfer), with an https:// URL it keeps it (AES-GCM is fast only in C2's code). The launcher
 * execs Java, so the JVM's options are read from the command line of the very process, while the
 * test's server holds its answer back. {@code serve} compiles later (less JIT work at start). And
 * which AOT cache each maps.
 */
@Timeout(180)
class LauncherJvmOptionsIT {
  private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("wharf");

  /** A first start may build or train the cache; on a loaded machine that takes its time. */
  private static final Duration START = Duration.ofSeconds(120);

  @Test
  void plainHttpGetRunsWithoutTheOptimizingCompilerAndCompilesLater() throws Exception {
    try (var server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        var get =
            ExternalProcess.command(
                    LAUNCHER.toString(),
                    "get",
                    "-s",
                    "http://127.0.0.1:" + server.getLocalPort() + "/small")
                .start()) {
      server.setSoTimeout((int) START.toMillis());
      try (Socket client = server.accept()) {
        assertThat(jvmOptions(get.pid()))
            .contains(
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=4")
            .anyMatch(option -> option.matches("-XX:AOTCache=.*/wharf-get\\.aot"));
        client
            .getOutputStream()
            .write(
                "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsmall\n"
                    .getBytes(StandardCharsets.US_ASCII));
      }
      assertThat(get.awaitExit(START)).as("exit; stderr: %s", get.errors()).isZero();
      assertThat(get.output()).isEqualTo("small\n");
    }
  }

  @Test
  void httpsGetKeepsTheOptimizingCompiler() throws Exception {
    try (var server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        var get =
            ExternalProcess.command(
                    LAUNCHER.toString(),
                    "get",
                    "-s",
                    "HTTPS://127.0.0.1:" + server.getLocalPort() + "/large")
                .start()) {
      server.setSoTimeout((int) START.toMillis());
      Socket client = server.accept();
      try {
        assertThat(jvmOptions(get.pid()))
            .contains("-XX:+UseSerialGC", "-XX:CompileThresholdScaling=4")
            .noneMatch(option -> option.startsWith("-XX:TieredStopAtLevel"));
      } finally {
        client.close(); // before the handshake: get fails, as it should
      }
      assertThat(get.awaitExit(START)).isNotZero();
    }
  }

  /**
   * {@code serve} compiles later than the JVM's default (less compiler work at start,
   * bench/startup) and keeps both compilers for its throughput.
   */
  @Test
  void serveCompilesLaterWithBothCompilers(@TempDir Path root) throws Exception {
    try (var serve =
        ExternalProcess.command(
                LAUNCHER.toString(),
                "serve",
                "-b",
                "127.0.0.1",
                "-p",
                "0",
                "--quiet",
                root.toString())
            .start()) {
      serve.awaitOutputContaining("Serving", START);
      assertThat(jvmOptions(serve.pid()))
          .contains("-XX:+UseSerialGC", "-XX:CompileThresholdScaling=4")
          .anyMatch(option -> option.matches("-XX:AOTCache=.*/wharf-serve\\.aot"))
          .noneMatch(option -> option.startsWith("-XX:TieredStopAtLevel"));
    }
  }

  /**
   * A selector provider named in WHARF_JAVA_OPTS that the JDK could not load is one line and exit
   * 2, before anything starts (it was "internal error ... serviceConfigurationError", exit 70).
   */
  @Test
  void anUnusableSelectorProviderIsOneLineAndExit2(@TempDir Path root) throws Exception {
    var result =
        ExternalProcess.command(
                LAUNCHER.toString(), "serve", "-b", "127.0.0.1", "-p", "0", root.toString())
            .environment(
                "WHARF_JAVA_OPTS", "-Djava.nio.channels.spi.SelectorProvider=org.example.Missing")
            .run(START);
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "wharf: -Djava.nio.channels.spi.SelectorProvider=org.example.Missing: no such class\n");
    assertThat(result.out()).isEmpty();
  }

  /**
   * Commands but serve and get map the AOT cache trained by all of them; those two map one each,
   * trained by that command alone (every class of a cache is loaded at each start).
   */
  @Test
  void otherCommandsMapTheCacheOfThemAll() throws Exception {
    try (var server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        var connect =
            ExternalProcess.command(
                    LAUNCHER.toString(),
                    "connect",
                    "127.0.0.1",
                    String.valueOf(server.getLocalPort()))
                .start()) {
      server.setSoTimeout((int) START.toMillis());
      Socket client = server.accept();
      try {
        assertThat(jvmOptions(connect.pid()))
            .anyMatch(option -> option.matches("-XX:AOTCache=.*/wharf-all\\.aot"));
      } finally {
        client.close(); // connect ends when its peer has
      }
      assertThat(connect.awaitExit(START)).as("exit; stderr: %s", connect.errors()).isZero();
    }
  }

  /** The arguments of a running process (after the launcher's exec, java's). */
  private static List<String> jvmOptions(long pid) throws IOException {
    byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
    List<String> args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    assertThat(args.getFirst()).as("the launcher has exec'ed java").endsWith("java");
    return args;
  }
}
