package dev.wharf.cli.get;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same requests through curl and through {@code wharf get}, against one server (a Python script
 * with a route for each habit), must end alike: the same bytes on stdout (the body, the -w figures)
 * and the same exit code. Issue 11's list of curl habits, one group per test.
 *
 * <p>No argument starts with {@code @}: picocli would take it for a file of arguments.
 */
class GetLikeCurlIT extends EndToEnd {
  private String base;
  private int tlsPort;

  /** How a run ended: exit code, stdout, stderr. */
  private record Outcome(int exit, byte[] out, List<String> err) {
    String text() {
      return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void startServer() throws Exception {
    Path script = Path.of(getClass().getResource("/curl_habits_server.py").toURI());
    Path out = dir.resolve("server.out");
    peer(null, out, "/usr/bin/python3", "-u", script.toString());
    base = "http://127.0.0.1:" + EndToEnd.awaitMatch(out, Pattern.compile("port (\\d+)"));
    tlsPort = Integer.parseInt(EndToEnd.awaitMatch(out, Pattern.compile("tls (\\d+)")));
  }

  @Test
  void statusCodesFailAndMalformedUrls() throws Exception {
    assertThat(same("-s", base + "/status/404").text()).isEqualTo("status 404\n");
    assertThat(same("-s", "-f", base + "/status/404").exit()).isEqualTo(22);
    assertThat(same("-s", "-o", "/dev/null", "-w", "%{http_code}\\n", base + "/status/503").text())
        .isEqualTo("503\n");
    assertThat(same("-s", "http://exa mple/").exit()).isEqualTo(3);
  }

  @Test
  void writeOutSpeaksCurlsVariables() throws Exception {
    String format =
        "%{http_code} %{response_code} %{size_download} %{size_header} %{num_headers}"
            + " %{content_type} %{num_redirects} %{url_effective} %header{x-thing} %{method}"
            + " %{scheme} %{http_version} %{remote_ip} %{exitcode}\\t%%\\n";

    Outcome direct = same("-s", "-w", format, base + "/header");
    // size_header is left out here: curl counts the redirect's head too, which wharf never sees.
    Outcome redirected =
        same("-s", "-L", "-w", format.replace(" %{size_header}", ""), base + "/redirect");

    assertThat(direct.text())
        .isEqualTo(
            "headers\n200 200 8 151 5 text/plain 0 "
                + base
                + "/header abc GET HTTP 1.1 127.0.0.1 0\t%\n");
    assertThat(redirected.text()).contains(" 1 " + base + "/header ");
  }

  @Test
  void aBodyCutShortIs18AndKeepsWhatCame() throws Exception {
    Outcome cut = same("-sS", base + "/truncated");

    assertThat(cut.exit()).isEqualTo(18);
    assertThat(cut.text()).isEqualTo("0123456789");
    assertThat(cut.err()).isNotEmpty(); // -S: the error is told despite -s.
    assertThat(wharf("-s", base + "/truncated").err()).isEmpty();
  }

  @Test
  void compressedBodiesAreAskedForAndDecoded() throws Exception {
    String plain = "hello compressed\n".repeat(200);
    assertThat(same("-s", "--compressed", base + "/gzip").text()).isEqualTo(plain);
    assertThat(same("-s", "--compressed", base + "/deflate").text()).isEqualTo(plain);
    assertThat(same("-s", base + "/gzip").text()).isEqualTo(plain); // Not asked: not encoded.
  }

  @Test
  void rangesAndResuming() throws Exception {
    assertThat(same("-s", "-r", "10-19", base + "/range").text()).isEqualTo("0123456789");
    assertThat(same("-s", "-r", "-5", base + "/range").text()).isEqualTo("56789");

    String digits = "0123456789".repeat(100);
    Path byCurl = Files.writeString(dir.resolve("curl.part"), digits.substring(0, 300));
    Path byWharf = Files.writeString(dir.resolve("wharf.part"), digits.substring(0, 300));
    Outcome curl = curl("-s", "-C", "-", "-o", byCurl.toString(), base + "/range");
    Outcome wharf = wharf("-s", "-C", "-", "-o", byWharf.toString(), base + "/range");
    assertThat(wharf.exit()).isEqualTo(curl.exit()).isZero();
    assertThat(Files.readString(byWharf)).isEqualTo(Files.readString(byCurl)).isEqualTo(digits);

    // A server that answers 200 to a Range cannot resume: curl's 33, the file untouched.
    curl = curl("-s", "-C", "-", "-o", byCurl.toString(), base + "/header");
    wharf = wharf("-s", "-C", "-", "-o", byWharf.toString(), base + "/header");
    assertThat(wharf.exit()).isEqualTo(curl.exit()).isEqualTo(33);
    assertThat(Files.readString(byWharf)).isEqualTo(digits);
  }

  @Test
  void credentialsFromTheUrlAndDashU() throws Exception {
    String hostPort = base.substring("http://".length());
    assertThat(same("-s", "http://ann:s3cret@" + hostPort + "/auth").text()).isEqualTo("welcome\n");
    assertThat(same("-s", "-u", "ann:s3cret", base + "/auth").text()).isEqualTo("welcome\n");
    assertThat(same("-s", "-u", "ann:wrong", "-w", "%{http_code}", base + "/auth").text())
        .isEqualTo("who are you?\n401");
  }

  @Test
  void retryWaitsAsRetryAfterSaysAndTriesAgain() throws Exception {
    // Each client needs its own flaky route: the server fails the first request of each.
    Outcome curl = curl("-s", "--retry", "2", base + "/flaky/curl");
    long started = System.nanoTime();
    Outcome wharf = wharf("-s", "--retry", "2", base + "/flaky/wharf");
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(wharf.exit()).isEqualTo(curl.exit()).isZero();
    assertThat(wharf.text()).isEqualTo(curl.text()).isEqualTo("recovered\n");
    assertThat(tookMillis).isGreaterThanOrEqualTo(1000); // Retry-After: 1

    // No retry asked: the 503 is the answer.
    curl = curl("-s", "-w", "%{http_code}", base + "/flaky/curl-once");
    wharf = wharf("-s", "-w", "%{http_code}", base + "/flaky/wharf-once");
    assertThat(wharf.exit()).isEqualTo(curl.exit()).isZero();
    assertThat(wharf.text()).isEqualTo(curl.text()).isEqualTo("503");
  }

  @Test
  void uploadsAsCurl() throws Exception {
    Path file = randomFile("up.bin", 100_000);
    assertThat(same("-s", "--data-binary", "a=1&b=2", base + "/form").text())
        .startsWith("/form 7 ");
    assertThat(same("-s", "-T", file.toString(), base + "/up/").text())
        .isEqualTo("/up/up.bin 100000 " + sha256(file) + "\n");

    // -F: multipart/form-data, each part as the server's parser sees it.
    Path text = Files.writeString(dir.resolve("t.txt"), "line 1\r\nline 2\n");
    assertThat(
            same("-s", "-F", "a=1", "-F", "up=@" + file, "-F", "t=<" + text, base + "/form").text())
        .isEqualTo(
            "a - 1 "
                + sha256(Files.writeString(dir.resolve("one"), "1"))
                + "\nup up.bin 100000 "
                + sha256(file)
                + "\nt - 15 "
                + sha256(text)
                + "\n");
  }

  @Test
  void plainHttpToATlsPortSaysWhatCameBack() throws Exception {
    Outcome wharf = wharf("-sS", "http://127.0.0.1:" + tlsPort + "/");

    // curl says "Received HTTP/0.9 when not allowed" and exits 1; wharf names the TLS record.
    assertThat(wharf.exit()).isEqualTo(CurlExit.WEIRD_SERVER_REPLY);
    assertThat(wharf.err()).singleElement().asString().contains("TLS record");
  }

  @Test
  void verboseTellsTheConnectionThenTheRequestAsWrittenThenTheResponse() throws Exception {
    List<String> told = wharf("-v", "-u", "ann:s3cret", base + "/header?x=1").err();

    int connected = -1;
    for (int i = 0; i < told.size() && connected < 0; i++) {
      if (told.get(i)
          .matches("\\* Connected to 127\\.0\\.0\\.1 \\(127\\.0\\.0\\.1\\) port \\d+ .*")) {
        connected = i;
      }
    }
    int request = told.indexOf("> GET /header?x=1 HTTP/1.1"); // The query included, as sent.
    assertThat(connected).as("%s", told).isNotNegative();
    assertThat(request).isGreaterThan(connected);
    assertThat(told.subList(request, told.size()))
        .startsWith(
            "> GET /header?x=1 HTTP/1.1",
            "> Host: " + base.substring("http://".length()),
            "> User-Agent: wharf",
            "> Accept: */*",
            "> Authorization: Basic [hidden]",
            ">",
            "< HTTP/1.1 200 OK");
  }

  @Test
  void aBinaryBodyIsNotWrittenToATerminal() throws Exception {
    String wharf =
        Child.javaCommand(Main.class).stream()
                .map(word -> "'" + word + "'")
                .collect(Collectors.joining(" "))
            + " get";

    Outcome curl = inTerminal("curl -s " + base + "/binary");
    Outcome refused = inTerminal(wharf + " " + base + "/binary");
    Outcome anyway = inTerminal(wharf + " -o - " + base + "/binary");

    assertThat(refused.exit()).isEqualTo(curl.exit()).isEqualTo(23);
    assertThat(refused.text()).contains("binary output can mess up your terminal");
    assertThat(anyway.exit()).isZero();
    assertThat(anyway.out()).hasSizeGreaterThanOrEqualTo(256); // The terminal adds a CR to LF.
  }

  /** Runs a shell command with a terminal for its stdin, stdout and stderr, as script(1) gives. */
  private Outcome inTerminal(String command) throws Exception {
    Path out = dir.resolve("terminal-" + ++runs + ".out");
    return outcome(peer(null, out, "script", "-qec", command, "/dev/null"), out);
  }

  /** Runs both; asserts the same exit code and stdout, and returns wharf's outcome. */
  private Outcome same(String... args) throws Exception {
    Outcome curl = curl(args);
    Outcome wharf = wharf(args);
    assertThat(wharf.exit()).as("exit code of %s", Arrays.toString(args)).isEqualTo(curl.exit());
    assertThat(wharf.text()).as("stdout of %s", Arrays.toString(args)).isEqualTo(curl.text());
    return wharf;
  }

  private int runs;

  private Outcome curl(String... args) throws Exception {
    Path out = dir.resolve("curl-" + ++runs + ".out");
    var command = new ArrayList<>(List.of("curl"));
    command.addAll(List.of(args));
    return outcome(peer(Path.of("/dev/null"), out, command.toArray(String[]::new)), out);
  }

  private Outcome wharf(String... args) throws Exception {
    Path out = dir.resolve("wharf-" + ++runs + ".out");
    var command = new ArrayList<>(List.of("get"));
    command.addAll(List.of(args));
    return outcome(wharf(Path.of("/dev/null"), out, command.toArray(String[]::new)), out);
  }

  private static Outcome outcome(Child child, Path out) throws InterruptedException, IOException {
    int exit = child.awaitExit();
    return new Outcome(exit, Files.readAllBytes(out), child.errLines());
  }
}
