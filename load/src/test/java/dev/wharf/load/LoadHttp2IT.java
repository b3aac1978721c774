package dev.wharf.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.testkit.Nginx;
import dev.wharf.testkit.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf bench --http2}'s engine against real HTTP/2 servers on loopback: Wharf's own in
 * process (its access log says what it served, and over which protocol), and Debian's nginx, whose
 * HTTP/2 none of us wrote: cleartext by prior knowledge, TLS with ALPN h2, its GOAWAY after
 * keepalive_requests and its SETTINGS_MAX_CONCURRENT_STREAMS.
 */
@Timeout(60)
class LoadHttp2IT {
  private final EventLoopGroup group = new EventLoopGroup(1, "load-h2-it", true);
  private final ConcurrentLinkedQueue<String> served = new ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger slowOnes =
      new java.util.concurrent.atomic.AtomicInteger();
  private HttpServer server;
  private Nginx nginx;

  @TempDir Path dir;

  @BeforeEach
  void start() throws IOException {
    server =
        HttpServer.builder(group)
            .http2(true)
            .get("/", (request, response) -> response.send("hello\n"))
            .post("/length", (request, response) -> response.send(request.body().length + "\n"))
            .get(
                "/all-but-first",
                (request, response) -> {
                  if (slowOnes.getAndIncrement() > 0) {
                    response.send("hello\n"); // the first request is never answered
                  }
                })
            .accessLog(entry -> served.add(entry.requestLine()))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
    if (nginx != null) {
      nginx.close();
    }
  }

  /** {@code n} requests over HTTP/2 with {@code streams} in flight on each of {@code c}. */
  private static LoadPlan plan(String url, int c, int streams, long n) {
    return plan(url, c, streams, n, null, new byte[0], Duration.ofSeconds(10));
  }

  /**
   * Over HTTP/2: {@code n} requests, or for {@code duration} when it is given; a POST of {@code
   * body} when there is one; any certificate accepted.
   */
  private static LoadPlan plan(
      String url, int c, int streams, long n, Duration duration, byte[] body, Duration timeout) {
    return new LoadPlan(
        Target.parse(url),
        c,
        1,
        duration,
        duration == null ? n : 0,
        Duration.ZERO,
        0,
        streams,
        body.length > 0 ? "POST" : "GET",
        List.of(),
        body,
        64,
        timeout,
        true,
        LoadPlan.Hold.OFF,
        true);
  }

  private static LoadReport run(LoadPlan plan) throws Exception {
    return new LoadTest(plan).run(LoadTest.Progress.NONE);
  }

  @Test
  void nRequestsAreExactlyNHttp2RequestsAtTheServer() throws Exception {
    LoadReport report = run(plan("http://127.0.0.1:" + server.port() + "/", 4, 8, 2000));

    assertThat(report.errors()).isEmpty();
    assertThat(report.requests()).isEqualTo(2000);
    assertThat(report.statusClasses()[2]).isEqualTo(2000);
    assertThat(report.latency().count()).isEqualTo(2000);
    assertThat(report.connectionsOpened()).isEqualTo(4);
    assertThat(served).hasSize(2000).allMatch(line -> line.equals("GET / HTTP/2.0"));
  }

  @Test
  void aBodyLargerThanTheServersWindowsGoesOutWithinThem() throws Exception {
    int size = 300 * 1024; // past the 64 KiB a stream and a connection start with (RFC 9113 §6.9)
    LoadPlan post =
        plan(
            "http://127.0.0.1:" + server.port() + "/length",
            2,
            4,
            40,
            null,
            new byte[size],
            Duration.ofSeconds(10));

    LoadReport report = run(post);

    assertThat(report.errors()).isEmpty();
    assertThat(report.statusClasses()[2]).isEqualTo(40);
    assertThat(report.bytesWritten()).isGreaterThan(40L * size);
    assertThat(served).hasSize(40).allMatch(line -> line.equals("POST /length HTTP/2.0"));
  }

  @Test
  void aStreamWithoutAnAnswerTimesOutWhileTheOthersAreAnswered() throws Exception {
    LoadPlan briefTimeout =
        plan(
            "http://127.0.0.1:" + server.port() + "/all-but-first",
            1,
            4,
            0,
            Duration.ofMillis(1500),
            new byte[0],
            Duration.ofMillis(400));

    LoadReport report = run(briefTimeout);

    assertThat(report.errors(ErrorKind.TIMEOUT)).isEqualTo(1);
    assertThat(report.firstErrors().get(ErrorKind.TIMEOUT))
        .isEqualTo("no answer within the timeout");
    assertThat(report.statusClasses()[2]).isPositive();
    assertThat(report.connectionsOpened()).isEqualTo(2); // the stuck one closed, another opened
  }

  @Test
  void aServerWithoutHttp2IsAProtocolErrorThatSaysSo() throws Exception {
    try (HttpServer http1Only =
        HttpServer.builder(group)
            .get("/", (request, response) -> response.send("hello\n"))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      LoadPlan brief =
          plan(
              "http://127.0.0.1:" + http1Only.port() + "/",
              1,
              1,
              0,
              Duration.ofMillis(300),
              new byte[0],
              Duration.ofSeconds(10));

      LoadReport report = run(brief);

      assertThat(report.requests()).isZero();
      assertThat(report.errors(ErrorKind.PROTOCOL)).isPositive();
      assertThat(report.firstErrors().get(ErrorKind.PROTOCOL))
          .contains("the server answered in HTTP/1, not HTTP/2");
    }
  }

  @Test
  void aConnectionLeftOpenAfterGoAwayIsClosedOnceItsStreamsEndedAndAnotherOpens() throws Exception {
    try (var server = new GoAwayButStayOpen(10)) {
      LoadReport report =
          run(
              plan(
                  "http://127.0.0.1:" + server.port() + "/",
                  1,
                  4,
                  0,
                  Duration.ofMillis(1500),
                  new byte[0],
                  Duration.ofSeconds(10)));

      assertThat(report.errors()).isEmpty();
      assertThat(report.requests()).isGreaterThan(30);
      assertThat(report.connectionsOpened()).isGreaterThan(3);
      // The server accepted each one the report counts; a connect still under way when the run
      // ended (the report counts a connection once it completes) may have reached its accept too.
      assertThat(server.connections.get())
          .isBetween((int) report.connectionsOpened(), (int) report.connectionsOpened() + 1);
    }
  }

  /**
   * An HTTP/2 server of the test's own, for what nginx does not do: it answers each request with a
   * bare 200 ({@code :status} from HPACK's static table); with the {@code perConnection}th request
   * it sends GOAWAY (NO_ERROR, that stream the last it takes), answers it, and leaves the
   * connection open, answering nothing more on it.
   */
  private static final class GoAwayButStayOpen implements AutoCloseable {
    final java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.net.ServerSocket listener;
    private final List<java.net.Socket> accepted =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    GoAwayButStayOpen(int perConnection) throws IOException {
      listener = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual()
          .start(
              () -> {
                while (true) {
                  java.net.Socket socket;
                  try {
                    socket = listener.accept();
                  } catch (IOException closed) {
                    return;
                  }
                  connections.incrementAndGet();
                  accepted.add(socket);
                  Thread.ofVirtual().start(() -> serve(socket, perConnection));
                }
              });
    }

    int port() {
      return listener.getLocalPort();
    }

    private static void serve(java.net.Socket socket, int perConnection) {
      try {
        var in =
            new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        var out = socket.getOutputStream();
        in.readNBytes(24); // the client's connection preface
        out.write(frame(0x4, 0, 0, new byte[0])); // SETTINGS, none changed
        int answered = 0;
        while (true) {
          int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
          int type = in.readUnsignedByte();
          int flags = in.readUnsignedByte();
          int stream = in.readInt() & 0x7fff_ffff;
          in.readNBytes(length);
          if (type == 0x4 && (flags & 0x1) == 0) {
            out.write(frame(0x4, 0x1, 0, new byte[0])); // SETTINGS ACK
          } else if (type == 0x1 && answered < perConnection) {
            if (++answered == perConnection) {
              // GOAWAY before the last answer: that stream is still in flight when it comes.
              var goAway = java.nio.ByteBuffer.allocate(8).putInt(stream).putInt(0).array();
              out.write(frame(0x7, 0, 0, goAway));
            }
            out.write(frame(0x1, 0x5, stream, new byte[] {(byte) 0x88})); // 200, END_STREAM
          }
          out.flush();
        }
      } catch (IOException connectionEnded) {
        // the client closed it: what is asked of it
      }
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
      return java.nio.ByteBuffer.allocate(9 + payload.length)
          .put((byte) (payload.length >>> 16))
          .put((byte) (payload.length >>> 8))
          .put((byte) payload.length)
          .put((byte) type)
          .put((byte) flags)
          .putInt(stream)
          .put(payload)
          .array();
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (var socket : accepted) {
        socket.close();
      }
    }
  }

  private Nginx nginx(String directives) throws Exception {
    nginx =
        Nginx.start(
            dir.resolve("nginx"), TestCertificates.create(dir.resolve("certs")), directives);
    Files.writeString(nginx.root().resolve("small.txt"), "small\n");
    return nginx;
  }

  @Test
  void nginxGoingAwayAfterKeepaliveRequestsLosesNothingAndCountsNoError() throws Exception {
    nginx("keepalive_requests 50;");

    LoadReport report =
        run(plan("http://127.0.0.1:" + nginx.cleartextPort() + "/small.txt", 2, 8, 1000));

    assertThat(report.errors()).isEmpty();
    assertThat(report.statusClasses()[2]).isEqualTo(1000);
    assertThat(report.connectionsOpened()).isGreaterThanOrEqualTo(1000 / 50);
  }

  @Test
  void nginxOverTlsWithAlpnH2() throws Exception {
    nginx("");

    LoadReport report = run(plan("https://127.0.0.1:" + nginx.tlsPort() + "/small.txt", 2, 4, 400));

    assertThat(report.errors()).isEmpty();
    assertThat(report.statusClasses()[2]).isEqualTo(400);
    assertThat(report.connectionsOpened()).isEqualTo(2);
    // TLS records as written: 400 HEADERS frames at the least (they were not counted at all).
    assertThat(report.bytesWritten()).isGreaterThan(400L * 20);
  }

  @Test
  void nginxsLimitOnConcurrentStreamsIsKeptSoNoStreamIsRefused() throws Exception {
    nginx("http2_max_concurrent_streams 2;");

    LoadReport report =
        run(plan("http://127.0.0.1:" + nginx.cleartextPort() + "/small.txt", 1, 16, 500));

    assertThat(report.errors()).isEmpty();
    assertThat(report.statusClasses()[2]).isEqualTo(500);
  }
}
