package dev.wharf.cli.get;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf get -v} shows the request head that went over the wire, byte for byte: a server on a
 * real socket keeps the head it read, and the {@code > } lines must be exactly its lines.
 */
class GetVerboseIT extends EndToEnd {
  private ServerSocket server;
  private final CompletableFuture<String> received = new CompletableFuture<>();

  @BeforeEach
  void startServer() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("head-keeper").start(this::answerOne);
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  /** Reads one request head and the body it announces, keeps the head, answers 200 "ok". */
  private void answerOne() {
    try (Socket socket = server.accept()) {
      InputStream in = socket.getInputStream();
      var head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("the client closed before the end of its head: " + head);
        }
        head.write(b);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      var length = java.util.regex.Pattern.compile("(?im)^Content-Length: (\\d+)\r$").matcher(text);
      in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
      received.complete(text);
      socket
          .getOutputStream()
          .write(
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                  .getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      received.completeExceptionally(e);
    }
  }

  @Test
  void theRequestLinesAreTheBytesTheServerRead() throws Exception {
    String hostPort = "127.0.0.1:" + server.getLocalPort();

    List<String> told =
        get("-v", "-H", "X-Trace: t1", "http://" + hostPort + "/a%20b/c?x=1&y=%2F#frag");

    String head = received.get(10, TimeUnit.SECONDS);
    assertThat(requestLines(told)).isEqualTo(linesOf(head));
    assertThat(requestLines(told))
        .containsExactly(
            "GET /a%20b/c?x=1&y=%2F HTTP/1.1",
            "Host: " + hostPort, "User-Agent: wharf", "Accept: */*", "X-Trace: t1");
  }

  @Test
  void aBodysFramingIsShownAsSent() throws Exception {
    List<String> told =
        get("-v", "-d", "k=v", "http://localhost:" + server.getLocalPort() + "/form?q");

    String head = received.get(10, TimeUnit.SECONDS);
    assertThat(requestLines(told)).isEqualTo(linesOf(head));
    assertThat(requestLines(told))
        .containsExactly(
            "POST /form?q HTTP/1.1",
            "Host: localhost:" + server.getLocalPort(),
            "User-Agent: wharf",
            "Accept: */*",
            "Content-Length: 3",
            "Content-Type: application/x-www-form-urlencoded");
  }

  /** Runs {@code wharf get} to its end, which must be a success, and returns its stderr. */
  private List<String> get(String... args) throws Exception {
    var command = new ArrayList<>(List.of("get"));
    command.addAll(List.of(args));
    Path out = dir.resolve("get.out");
    Child child = wharf(Path.of("/dev/null"), out, command.toArray(String[]::new));
    assertThat(child.awaitExit()).as("exit of %s: %s", command, child.errLines()).isZero();
    assertThat(out).hasContent("ok");
    return child.errLines();
  }

  /** The {@code > } lines of -v, the request head as shown, without the prefix. */
  private static List<String> requestLines(List<String> told) {
    List<String> lines =
        told.stream().filter(l -> l.startsWith("> ")).map(l -> l.substring(2)).toList();
    assertThat(told).as("the head ends with a lone '>'").contains(">");
    return lines;
  }

  /** A head's lines, without the empty line that ends it. */
  private static List<String> linesOf(String head) {
    assertThat(head).endsWith("\r\n\r\n");
    return Arrays.asList(head.substring(0, head.length() - 4).split("\r\n", -1));
  }
}
