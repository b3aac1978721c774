package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real {@code wharf serve} under clients nobody here wrote: ApacheBench, wrk, and a socket that
 * pipelines ten thousand requests at once.
 */
class ServeUnderRealClientsIT extends EndToEnd {
  private static final int FOUR_KIB = 4096;

  private int serve(Path root, String... more) throws Exception {
    var options = new ArrayList<>(List.of("--quiet"));
    options.addAll(List.of(more));
    return serveOnLoopback(
        dir.resolve("serve.out"), Map.of(), root, options.toArray(String[]::new));
  }

  /** Runs a peer to its end (at most {@code seconds}) and returns what it printed on stdout. */
  private String runToEnd(int seconds, String... command) throws Exception {
    Path out = Files.createTempFile(dir, "peer", ".out");
    Child peer = peer(null, out, command);
    assertThat(peer.process().waitFor(seconds, TimeUnit.SECONDS))
        .as("%s ended within %d s", command[0], seconds)
        .isTrue();
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(peer.awaitExit())
        .as("%s exit; stdout:%n%s%nstderr: %s", command[0], text, peer.errLines())
        .isZero();
    return text;
  }

  private static long figure(String text, String regex) {
    Matcher matcher = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    assertThat(matcher.find()).as("/%s/ in:%n%s", regex, text).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  @Test
  void apacheBenchKeepsFiveThousandRequestsAliveWithoutAFailure() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    randomFile("www/four.bin", FOUR_KIB);
    int port = serve(root);

    String report =
        runToEnd(
            45,
            "ab",
            "-n",
            "5000",
            "-c",
            "50",
            "-k",
            "-s",
            "20",
            "http://127.0.0.1:" + port + "/four.bin");

    assertThat(figure(report, "^Complete requests:\\s+(\\d+)")).isEqualTo(5000);
    assertThat(figure(report, "^Failed requests:\\s+(\\d+)")).isZero();
    assertThat(figure(report, "^Keep-Alive requests:\\s+(\\d+)")).isEqualTo(5000);
    assertThat(figure(report, "^Document Length:\\s+(\\d+) bytes")).isEqualTo(FOUR_KIB);
    assertThat(figure(report, "^HTML transferred:\\s+(\\d+) bytes")).isEqualTo(5000L * FOUR_KIB);
    // ab prints this line only when some answers were not 2xx.
    assertThat(report).doesNotContain("Non-2xx responses");
  }

  @Test
  void wrkSeesOnlyWholeOkResponsesAndNoSocketErrors() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    randomFile("www/four.bin", FOUR_KIB);
    int port = serve(root);
    Path script = Path.of(getClass().getResource("/wrk_check.lua").toURI());

    String report =
        runToEnd(
            45,
            "wrk",
            "-t",
            "2",
            "-c",
            "20",
            "-d",
            "3s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            script.toString(),
            "http://127.0.0.1:" + port + "/four.bin",
            "--",
            Integer.toString(FOUR_KIB));

    long requests = figure(report, "^\\s*(\\d+) requests in ");
    assertThat(requests).isPositive();
    // wrk prints these lines only when something went wrong.
    assertThat(report).doesNotContain("Socket errors").doesNotContain("Non-2xx or 3xx");
    assertThat(report).contains("Latency Distribution");
    // The script checked each response's status and length.
    assertThat(figure(report, "^checked: (\\d+) good")).isEqualTo(requests);
    assertThat(figure(report, "^checked: \\d+ good, (\\d+) bad")).isZero();
  }

  @Test
  void tenThousandPipelinedRequestsOnOneSocketComeBackInOrder() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    int files = 1000;
    for (int i = 0; i < files; i++) {
      Files.writeString(root.resolve(i + ".txt"), "file " + i + "\n");
    }
    int port = serve(root);
    int count = 10_000;
    // A fixed shuffle of the files: neighbours differ, so answers out of order would show.
    var wanted = new ArrayList<Integer>(count);
    var requests = new StringBuilder();
    for (int i = 0; i < count; i++) {
      int file = (int) ((i * 7919L) % files);
      wanted.add(file);
      requests.append("GET /").append(file).append(".txt HTTP/1.1\r\nHost: x\r\n");
      requests.append(i == count - 1 ? "Connection: close\r\n\r\n" : "\r\n");
    }
    byte[] bytes = requests.toString().getBytes(StandardCharsets.US_ASCII);

    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      // One write of everything, from its own thread: the server stops reading while it is
      // behind, so this thread would block if it also had to read the answers.
      CompletableFuture<Void> written =
          CompletableFuture.runAsync(
              () -> {
                try {
                  socket.getOutputStream().write(bytes);
                  socket.getOutputStream().flush();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              },
              runnable -> Thread.ofPlatform().name("pipeline-writer").start(runnable));

      InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      for (int i = 0; i < count; i++) {
        Answer answer = Answer.read(in);
        assertThat(answer.statusLine()).as("answer %d", i).isEqualTo("HTTP/1.1 200 OK");
        assertThat(answer.body()).as("answer %d", i).isEqualTo("file " + wanted.get(i) + "\n");
      }
      assertThat(in.read()).as("the server closes after the last, Connection: close").isEqualTo(-1);
      written.get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRequestWithBareLineFeedsAsTypedIntoSocatIsAnswered() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(root.resolve("hello.txt"), "hello\n");
    int port = serve(root);
    Path request = dir.resolve("request");
    // What printf 'GET / HTTP/1.0\n\n' | nc sends; RFC 9112 §2.2 lets a server take it.
    Files.writeString(request, "GET /hello.txt HTTP/1.0\nUser-Agent: typed\n\n");
    Path out = dir.resolve("socat.out");
    // shut-none: no FIN after the request; answering a half-closed request is not this test's.
    Child socat =
        peer(request, out, "socat", "-t", "10", "STDIO", "TCP:127.0.0.1:" + port + ",shut-none");

    assertThat(socat.process().waitFor(20, TimeUnit.SECONDS)).as("socat ended").isTrue();
    String answer = Files.readString(out, StandardCharsets.ISO_8859_1);
    assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello\n");
  }

  @Test
  void headerTimeoutSetsTheRequestHeadDeadline() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")), "--header-timeout", "0.5");
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      // Well under the default 10 s: only the flag's half second can answer in time.
      socket.setSoTimeout(5_000);
      socket
          .getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      Answer answer = Answer.read(new BufferedInputStream(socket.getInputStream()));
      assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 408 Request Timeout");
    }
  }

  /** One response off the socket: status line, headers, a Content-Length body. */
  private record Answer(String statusLine, List<String> headers, String body) {
    static Answer read(InputStream in) throws IOException {
      String statusLine = line(in);
      var headers = new ArrayList<String>();
      int length = -1;
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        headers.add(header);
        if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(header.substring(15).strip());
        }
      }
      if (length < 0) {
        throw new IOException("no Content-Length in " + statusLine + " " + headers);
      }
      byte[] body = in.readNBytes(length);
      if (body.length != length) {
        throw new IOException("the body ended after " + body.length + " of " + length + " bytes");
      }
      return new Answer(statusLine, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      var bytes = new ByteArrayOutputStream(64);
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("the stream ended inside a response head: " + bytes);
        }
        bytes.write(b);
      }
      String text = bytes.toString(StandardCharsets.ISO_8859_1);
      if (!text.endsWith("\r")) {
        throw new IOException("a line without its CR: " + text);
      }
      return text.substring(0, text.length() - 1);
    }
  }
}
