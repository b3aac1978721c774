package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command given bad arguments (ports out of range, missing files and directories, malformed
 * URLs, unknown options, peers that are not there) ends at once with one line on stderr, the exit
 * code the README documents, and no Java class name or stack trace. Mistakes caught before any
 * socket run the real command line in this JVM; those that reach the network run {@code wharf} as a
 * child with stdin from /dev/null, so that its own main (and its last-resort handler) is tested.
 */
class BadArgumentsIT extends EndToEnd {
  private static final Path MISSING = Path.of("/nonexistent-wharf-test/dir");

  /** A stack frame, an exception's name or a qualified class name: Java talking to the user. */
  private static final Pattern JAVA =
      Pattern.compile("^\\s+at |Exception|\\bError\\b|\\b[a-z]+(\\.[a-z0-9]+)+\\.[A-Z][A-Za-z]+");

  /** The hint picocli adds after a parse error, as curl adds one after its own. */
  private static final Pattern HINT = Pattern.compile("Try 'wharf( [a-z]+)? --help' for more\\.");

  static Stream<Arguments> mistakes() {
    String pem = MISSING.resolve("c.pem").toString();
    String sock = MISSING.resolve("x.sock").toString();
    return Stream.of(
        // Ports out of range.
        mistake(2, "serve", "-p", "70000"),
        mistake(2, "serve", "70000"),
        mistake(3, "get", "http://127.0.0.1:99999/"),
        mistake(2, "listen", "70000"),
        mistake(2, "listen", "--udp", "99999"),
        mistake(2, "connect", "127.0.0.1", "99999"),
        mistake(2, "connect", "--udp", "127.0.0.1:65536"),
        mistake(2, "echo", "70000"),
        mistake(3, "ws", "ws://127.0.0.1:99999/"),
        mistake(2, "ws", "--listen", "70000"),
        // Missing files and directories.
        mistake(2, "serve", MISSING.toString()),
        mistake(2, "serve", "--directory", MISSING.toString()),
        mistake(1, "serve", "--tls", "--cert", pem),
        mistake(2, "audit", "--config", MISSING.resolve("audit.conf").toString()),
        mistake(1, "serve", "--tls", "--pkcs12", pem),
        mistake(26, "get", "-d", "@" + MISSING.resolve("body.txt"), "http://127.0.0.1:1/"),
        mistake(23, "get", "-o", MISSING.resolve("out").toString(), "http://127.0.0.1:1/"),
        mistake(77, "get", "--cacert", pem, "https://127.0.0.1:1/"),
        mistake(58, "get", "--cert", pem, "https://127.0.0.1:1/"),
        mistake(1, "listen", "--unix", sock),
        mistake(1, "listen", "--tls", "--cert", pem, "127.0.0.1:0"),
        mistake(1, "echo", "--unix", sock),
        mistake(1, "ws", "--cacert", pem, "wss://127.0.0.1:1/"),
        mistake(1, "ws", "--listen", "127.0.0.1:0", "--tls", "--cert", pem),
        // Malformed URLs and addresses.
        mistake(3, "get", "http://"),
        mistake(3, "get", "http://h:port/"),
        mistake(3, "get", "http://bad host/"),
        mistake(3, "ws", "ws://bad host/"),
        mistake(2, "ws", "http://127.0.0.1/"),
        mistake(2, "echo", "[::1"),
        mistake(2, "listen", "::1:80"),
        mistake(2, "connect", "127.0.0.1"),
        mistake(2, "connect", "127.0.0.1:x"),
        // Unknown options, commands and values.
        mistake(2, "serve", "--frobnicate"),
        mistake(2, "serve", "--threads", "0"),
        mistake(2, "serve", "--admin", "0.0.0.0:9000"),
        mistake(2, "serve", "--admin", "127.0.0.1:x"),
        mistake(2, "get", "--frobnicate", "http://127.0.0.1/"),
        mistake(2, "get", "--max-redirs", "x", "http://127.0.0.1/"),
        mistake(2, "get"),
        mistake(2, "listen", "--frobnicate", "0"),
        mistake(2, "listen"),
        mistake(2, "connect", "--frobnicate", "127.0.0.1", "1"),
        mistake(2, "connect", "-w", "-1", "127.0.0.1", "1"),
        mistake(2, "echo", "--frobnicate", "0"),
        mistake(2, "echo", "--udp", "--unix", sock),
        mistake(2, "ws", "--frobnicate", "ws://127.0.0.1/"),
        mistake(2, "ws"),
        mistake(2, "--frobnicate"),
        mistake(2, "serv"),
        mistake(2, "audit", "--allow", "70000"),
        mistake(2, "audit", "--allow", "22/sctp"),
        mistake(2, "help", "frobnicate"),
        mistake(2, "scan", "127.0.0.1", "-p", "70000"),
        mistake(2, "scan", "--frobnicate", "127.0.0.1"),
        mistake(2, "scan", "-sS", "-sU", "127.0.0.1"),
        mistake(2, "scan", "-sS", "--retries", "51", "127.0.0.1"),
        mistake(2, "scan", "127.0.0.1", "1", "--max-retries", "-1"),
        mistake(2, "scan", "-sS", "127.0.0.1", "--timeout", "1", "--max-rtt-timeout", "2s"),
        mistake(2, "scan", "-sS", "127.0.0.1", "--max-rtt-timeout", "fast"),
        mistake(
            2, "scan", "-sS", "127.0.0.1", "--min-rtt-timeout", "2s", "--max-rtt-timeout", "1s"),
        mistake(2, "scan", "-sS", "127.0.0.1", "--min-rate", "500", "--max-rate", "100"),
        mistake(2, "scan", "127.0.0.1", "--min-rate", "100"),
        mistake(2, "ping", "-c", "0", "127.0.0.1"),
        mistake(2, "ping", "-4", "-6", "127.0.0.1"),
        mistake(2, "ping", "--tcp", "127.0.0.1"),
        mistake(2, "ping", "-t", "256", "127.0.0.1"),
        mistake(2, "ping", "nosuch.invalid"),
        mistake(2, "trace", "-c", "0"),
        mistake(1, "trace", "-r", "/dev/null"), // an empty file: it said "wharf trace: null"
        mistake(2, "trace", "-r", "x.pcap", "-i", "lo"),
        mistake(2, "trace", "-C", "1", "-i", "lo"),
        mistake(2, "trace", "-w", "x.pcap", "-v", "-i", "lo"),
        mistake(2, "trace", "-y", "FDDI", "-i", "lo"),
        mistake(2, "trace", "-W", "3", "-w", "x.pcap", "-i", "lo"),
        mistake(2, "trace", "--pcapng", "-i", "lo"),
        mistake(2, "trace", "-w", "x.pcap", "-e", "-i", "lo"),
        mistake(2, "dns"),
        mistake(2, "dns", "example.com", "+frobnicate"),
        mistake(2, "dns", "-x", "not-an-address"),
        mistake(2, "dns", "example.com", "@127.0.0.1:99999"),
        mistake(2, "bench"),
        mistake(2, "bench", "ftp://127.0.0.1/"),
        mistake(2, "bench", "tcp://127.0.0.1"),
        mistake(2, "bench", "-d", "1", "-n", "5", "http://127.0.0.1:1/"),
        mistake(2, "bench", "-c", "0", "http://127.0.0.1:1/"),
        mistake(2, "bench", "-d", "soon", "http://127.0.0.1:1/"),
        mistake(2, "bench", "--rate", "-5", "http://127.0.0.1:1/"),
        mistake(2, "bench", "--body", "x", "ws://127.0.0.1:1/"),
        mistake(2, "bench", "-H", "no colon", "http://127.0.0.1:1/"),
        mistake(2, "bench", "--frobnicate", "http://127.0.0.1:1/"));
  }

  private static Arguments mistake(int exitCode, String... args) {
    return Arguments.of(String.join(" ", args), exitCode, args);
  }

  @ParameterizedTest(name = "wharf {0} exits {1}")
  @MethodSource("mistakes")
  void aMistakeIsOneLineAndADocumentedExitCode(String line, int exitCode, String[] args) {
    var stray = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    MainTest.Run run;
    // Anything printed around the command's own writers (a logger, a dying thread) counts too.
    try (var capture = new PrintStream(stray, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      System.setErr(capture);
      run = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> MainTest.run(args));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    var lines = new ArrayList<>(run.err());
    lines.addAll(stray.toString(StandardCharsets.UTF_8).lines().toList());
    assertOneLine(line, lines, args[0]);
    assertThat(run.out()).as("stdout of wharf %s", line).isEmpty();
    assertThat(run.exitCode())
        .as("exit code of wharf %s; stderr %s", line, lines)
        .isEqualTo(exitCode);
  }

  static Stream<Arguments> absentPeers() {
    return Stream.of(
        Arguments.of("get", 7, true),
        Arguments.of("connect", 1, false),
        Arguments.of("ws", 1, true));
  }

  @ParameterizedTest(name = "wharf {0} to a closed port exits {1}")
  @MethodSource("absentPeers")
  void aPeerThatIsNotThereIsOneLineAndADocumentedExitCode(String command, int exitCode, boolean url)
      throws Exception {
    int port = closedPort();
    String scheme = command.equals("ws") ? "ws" : "http";
    Child child =
        url
            ? wharf(Path.of("/dev/null"), null, command, scheme + "://127.0.0.1:" + port + "/")
            : wharf(Path.of("/dev/null"), null, command, "127.0.0.1", Integer.toString(port));
    assertThat(child.awaitExit()).as("stderr: %s", child.errLines()).isEqualTo(exitCode);
    assertOneLine(command, child.errLines(), command);
  }

  private static void assertOneLine(String line, List<String> err, String command) {
    assertThat(err).as("stderr of wharf %s", line).isNotEmpty();
    assertThat(err.getFirst())
        .as("stderr of wharf %s", line)
        .matches("wharf(: | " + Pattern.quote(command) + ": ).+");
    assertThat(err.subList(1, err.size()))
        .as("stderr of wharf %s after its line", line)
        .allMatch(hint -> HINT.matcher(hint).matches());
    assertThat(err).as("stderr of wharf %s", line).noneMatch(text -> JAVA.matcher(text).find());
    // An exception without a message must not reach the user as the word "null".
    assertThat(err).as("stderr of wharf %s", line).noneMatch(text -> text.endsWith(": null"));
  }
}
