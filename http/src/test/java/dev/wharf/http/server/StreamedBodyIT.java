package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EchoProtocol;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.ExternalProcess.Result;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streamed request bodies and protocol upgrades over real sockets: backpressure on a client that
 * sends faster than the handler reads, curl uploads with and without {@code Expect: 100-continue},
 * early answers, limits, and a client that breaks off.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamedBodyIT {
  private static final long LIMIT = 64L << 20;

  @TempDir Path dir;
  private final EventLoopGroup group = new EventLoopGroup(1, "streamed-it", true);
  private final CountDownLatch slowReaderMayRead = new CountDownLatch(1);
  private final CompletableFuture<Throwable> abortedRead = new CompletableFuture<>();
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server =
        HttpServer.builder(group)
            .routeStreaming("PUT", "/sha256", LIMIT, StreamedBodyIT::answerDigest)
            .routeStreaming(
                "PUT",
                "/slow",
                LIMIT,
                (request, response) -> {
                  assertThat(slowReaderMayRead.await(60, TimeUnit.SECONDS)).isTrue();
                  answerDigest(request, response);
                })
            .routeStreaming(
                "PUT",
                "/deny",
                LIMIT,
                (request, response) -> response.sendError(401, "no uploads for you"))
            .routeStreaming(
                "PUT",
                "/abort",
                LIMIT,
                (request, response) -> {
                  try {
                    request.bodyStream().transferTo(OutputStream.nullOutputStream());
                    abortedRead.complete(null);
                  } catch (IOException e) {
                    abortedRead.complete(e);
                    throw e;
                  }
                })
            .get("/echo", StreamedBodyIT::upgradeToEcho)
            .get("/hello", (request, response) -> response.send("hello"))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    slowReaderMayRead.countDown();
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  private static void answerDigest(ServerRequest request, ServerResponse response)
      throws Exception {
    var digest = MessageDigest.getInstance("SHA-256");
    long total = 0;
    byte[] buffer = new byte[8192];
    try (InputStream body = request.bodyStream()) {
      for (int n; (n = body.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
        total += n;
      }
    }
    response.send(HexFormat.of().formatHex(digest.digest()) + " " + total + "\n");
  }

  private static void upgradeToEcho(ServerRequest request, ServerResponse response) {
    if (!request.head().isUpgradeRequest()) {
      response.sendError(426, "upgrade to echo");
      return;
    }
    response.header("Upgrade", "echo").header("Connection", "Upgrade");
    response.upgrade(new EchoProtocol());
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private Result curl(String... args) throws IOException {
    var command = new ArrayList<>(List.of("curl", "-sS"));
    command.addAll(List.of(args));
    return ExternalProcess.run(Duration.ofSeconds(60), command);
  }

  @Test
  void curlUploadWithExpectContinueIsReadAsItArrives() throws Exception {
    byte[] data = new byte[24 << 20];
    new Random(1).nextBytes(data);
    Path file = dir.resolve("upload.bin");
    Files.write(file, data);
    // curl asks Expect: 100-continue for bodies over 1 MiB; the first read lets it go ahead.
    Result run = curl("-v", "-T", file.toString(), url("/sha256"));
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo(sha256(data) + " " + data.length + "\n");
    assertThat(run.err()).contains("Expect: 100-continue").contains("HTTP/1.1 100 Continue");
  }

  @Test
  void chunkedUploadIsStreamedToo() throws Exception {
    byte[] data = new byte[3_000_000];
    new Random(2).nextBytes(data);
    Path file = dir.resolve("chunked.bin");
    Files.write(file, data);
    Result run =
        curl(
            "-H",
            "Transfer-Encoding: chunked",
            "--data-binary",
            "@" + file,
            "-X",
            "PUT",
            url("/sha256"));
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo(sha256(data) + " " + data.length + "\n");
  }

  @Test
  void anEarlyAnswerSkipsTheBodyAndEndsTheConnection() throws Exception {
    Path file = dir.resolve("big.bin");
    Files.write(file, new byte[8 << 20]);
    Result run = curl("-v", "-T", file.toString(), url("/deny"));
    assertThat(run.out()).startsWith("401 Unauthorized: no uploads for you");
    assertThat(run.err()).doesNotContain("100 Continue").contains("Connection: close");
  }

  @Test
  void aDeclaredLengthOverTheLimitGets413BeforeAnyRead() throws Exception {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("PUT /sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: "
                      + (LIMIT + 1)
                      + "\r\nExpect: 100-continue\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue");
    }
  }

  @Test
  void aClientFasterThanTheHandlerIsHeldBackByTcp() throws Exception {
    long size = 48L << 20;
    try (var channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()))) {
      channel.write(
          ByteBuffer.wrap(
              ("PUT /slow HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII)));
      channel.configureBlocking(false);
      // The handler does not read yet: the server may hold 256 KiB plus one read, the kernel its
      // socket buffers (a few MiB on loopback); everything else must stay with the client.
      byte[] pattern = new byte[64 * 1024];
      new Random(3).nextBytes(pattern);
      var digest = MessageDigest.getInstance("SHA-256");
      ByteBuffer out = ByteBuffer.wrap(pattern);
      long sent = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      int stalls = 0;
      while (sent < size && stalls < 200 && System.nanoTime() < deadline) {
        int n = channel.write(out);
        if (n == 0) {
          stalls++;
          Thread.sleep(5); // Polling a non-blocking socket until it stays full.
        } else {
          stalls = 0;
          digest.update(pattern, out.position() - n, n);
          sent += n;
        }
        if (!out.hasRemaining()) {
          out.clear();
        }
      }
      assertThat(stalls).as("the client got stuck, sent %d bytes", sent).isEqualTo(200);
      assertThat(sent).isLessThan(16L << 20);

      slowReaderMayRead.countDown();
      channel.configureBlocking(true);
      while (sent < size) {
        int n = (int) Math.min(out.remaining(), size - sent);
        ByteBuffer slice = out.slice(out.position(), n);
        channel.write(slice);
        digest.update(pattern, out.position(), n);
        sent += n;
        out.position(out.position() + n);
        if (!out.hasRemaining()) {
          out.clear();
        }
      }
      String answer = readResponse(channel);
      assertThat(answer)
          .startsWith("HTTP/1.1 200 ")
          .endsWith(HexFormat.of().formatHex(digest.digest()) + " " + size + "\n");
    }
  }

  @Test
  void aClientThatBreaksOffFailsTheHandlersReadAndNothingElse() throws Exception {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket
          .getOutputStream()
          .write(
              "PUT /abort HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\npartial"
                  .getBytes(StandardCharsets.US_ASCII));
    }
    Throwable failure = abortedRead.get(30, TimeUnit.SECONDS);
    assertThat(failure)
        .isInstanceOf(RequestBodyException.class)
        .hasMessageContaining("closed before the request body ended");
    Result run = curl(url("/hello"));
    assertThat(run.out()).isEqualTo("hello");
  }

  @Test
  void anUpgradeHandsTheConnectionOverWithTheBytesAlreadySent() throws Exception {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly "
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertThat(head)
          .startsWith("HTTP/1.1 101 Switching Protocols\r\n")
          .contains("\r\nUpgrade: echo\r\n")
          .contains("\r\nConnection: Upgrade\r\n")
          .doesNotContain("Content-Length");
      assertThat(new String(in.readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("early ");
      socket.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(in.readNBytes(16), StandardCharsets.US_ASCII))
          .isEqualTo("GET / HTTP/1.1\r\n");
    }
  }

  @Test
  void aDeclinedUpgradeGoesOnWithHttpIncludingPipelinedRequests() throws Exception {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /hello HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                      + "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(all.split("HTTP/1.1 200 OK", -1)).hasSize(3);
      assertThat(all).endsWith("hello");
    }
  }

  private static String readHead(InputStream in) throws IOException {
    var head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed in the head: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static String readResponse(SocketChannel channel) throws IOException {
    channel.socket().setSoTimeout(30_000);
    InputStream in = channel.socket().getInputStream();
    String head = readHead(in);
    int at = head.indexOf("Content-Length: ") + 16;
    int length = Integer.parseInt(head.substring(at, head.indexOf("\r\n", at)));
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
