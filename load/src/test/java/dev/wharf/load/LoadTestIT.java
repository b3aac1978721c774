package dev.wharf.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine against real servers on loopback: Wharf's HTTP server in process (its access log
 * counts what it served), a TCP echo, and servers that misbehave on purpose.
 */
@Timeout(60)
class LoadTestIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "load-it", true);
  private final AtomicLong served = new AtomicLong();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server =
        HttpServer.builder(group)
            .get("/", (request, response) -> response.send("hello\n"))
            .get("/fail", (request, response) -> response.sendError(500, "no"))
            .get("/missing", (request, response) -> response.sendError(404, "no"))
            .post("/echo", (request, response) -> response.send(request.bodyAsString()))
            .accessLog(entry -> served.incrementAndGet())
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private LoadPlan plan(String url, int connections, int threads, long requests) {
    LoadPlan p = LoadPlan.of(Target.parse(url), connections, Duration.ofSeconds(1));
    return new LoadPlan(
        p.target(),
        connections,
        threads,
        null,
        requests,
        Duration.ZERO,
        0,
        1,
        "GET",
        List.of(),
        new byte[0],
        64,
        Duration.ofSeconds(5),
        false,
        LoadPlan.Hold.OFF,
        false);
  }

  private static LoadPlan with(LoadPlan p, int pipeline, double rate, Duration duration) {
    return new LoadPlan(
        p.target(),
        p.connections(),
        p.threads(),
        duration,
        duration == null ? p.requests() : 0,
        p.warmup(),
        rate,
        pipeline,
        p.method(),
        p.headers(),
        p.body(),
        p.messageSize(),
        p.timeout(),
        p.insecure(),
        LoadPlan.Hold.OFF,
        false);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  @Test
  void nRequestsAreExactlyNRequestsAtTheServer() throws Exception {
    LoadReport report = new LoadTest(plan(url("/"), 8, 2, 1000)).run(LoadTest.Progress.NONE);

    assertThat(report.requests()).isEqualTo(1000);
    assertThat(served.get()).isEqualTo(1000);
    assertThat(report.statusClasses()[2]).isEqualTo(1000);
    assertThat(report.errors()).isEmpty();
    assertThat(report.latency().count()).isEqualTo(1000);
    assertThat(report.latency().p50()).isPositive();
    assertThat(report.bytesRead()).isGreaterThan(1000L * "hello\n".length());
    assertThat(report.connectionsOpened()).isEqualTo(8);
    // Two threads' CPU while measuring: some, and no more than two cores' worth of the run.
    assertThat(report.clientCpuSeconds()).isPositive().isLessThan(2 * report.seconds() + 0.05);
  }

  @Test
  void pipelinedRequestsAreCountedExactlyToo() throws Exception {
    LoadReport report =
        new LoadTest(with(plan(url("/"), 4, 1, 1000), 16, 0, null)).run(LoadTest.Progress.NONE);

    assertThat(report.requests()).isEqualTo(1000);
    assertThat(served.get()).isEqualTo(1000);
    assertThat(report.errors()).isEmpty();
  }

  @Test
  void statusClassesAreCountedAndFourAndFiveHundredsAreErrors() throws Exception {
    LoadReport fails = new LoadTest(plan(url("/fail"), 2, 1, 50)).run(LoadTest.Progress.NONE);
    LoadReport missing = new LoadTest(plan(url("/missing"), 2, 1, 30)).run(LoadTest.Progress.NONE);

    assertThat(fails.statusClasses()[5]).isEqualTo(50);
    assertThat(fails.errors(ErrorKind.STATUS_5XX)).isEqualTo(50);
    assertThat(missing.errors(ErrorKind.STATUS_4XX)).isEqualTo(30);
    assertThat(missing.errors()).containsOnlyKeys(ErrorKind.STATUS_4XX);
  }

  @Test
  void aClosedPortCountsConnectErrorsAndGivesUpAfterTheTimeout() throws Exception {
    int port;
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    LoadPlan p = plan("http://127.0.0.1:" + port + "/", 4, 1, 100);
    p =
        new LoadPlan(
            p.target(),
            4,
            1,
            null,
            100,
            Duration.ZERO,
            0,
            1,
            "GET",
            List.of(),
            null,
            64,
            Duration.ofSeconds(1),
            false,
            LoadPlan.Hold.OFF,
            false);
    long began = System.nanoTime();
    LoadReport report = new LoadTest(p).run(LoadTest.Progress.NONE);

    assertThat(report.requests()).isZero();
    assertThat(report.errors()).containsOnlyKeys(ErrorKind.CONNECT);
    assertThat(report.errors(ErrorKind.CONNECT)).isGreaterThanOrEqualTo(4);
    assertThat(report.firstErrors().get(ErrorKind.CONNECT)).containsIgnoringCase("refused");
    assertThat(System.nanoTime() - began).isLessThan(Duration.ofSeconds(10).toNanos());
  }

  @Test
  void aServerThatResetsIsCountedAsResets() throws Exception {
    var resetting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(resetting);
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              while (!resetting.isClosed()) {
                try {
                  Socket s = resetting.accept();
                  s.getInputStream().read(new byte[1024]); // a request has come
                  s.setSoLinger(true, 0);
                  s.close(); // RST
                } catch (IOException e) {
                  return;
                }
              }
            });
    LoadPlan p = plan("http://127.0.0.1:" + resetting.getLocalPort() + "/", 2, 1, 1);
    LoadReport report =
        new LoadTest(with(p, 1, 0, Duration.ofMillis(500))).run(LoadTest.Progress.NONE);

    assertThat(report.requests()).isZero();
    assertThat(report.errors(ErrorKind.RESET)).isPositive();
    assertThat(report.errors()).containsOnlyKeys(ErrorKind.RESET);
  }

  @Test
  void aServerThatNeverAnswersTimesOutAndAnNRunGivesUp() throws Exception {
    var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(silent);
    var held = new ArrayList<Socket>();
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              while (!silent.isClosed()) {
                try {
                  held.add(silent.accept());
                } catch (IOException e) {
                  return;
                }
              }
            });
    LoadPlan p =
        new LoadPlan(
            Target.parse("http://127.0.0.1:" + silent.getLocalPort() + "/"),
            2,
            1,
            Duration.ofMillis(1500),
            0,
            Duration.ZERO,
            0,
            1,
            "GET",
            List.of(),
            null,
            64,
            Duration.ofMillis(300),
            false,
            LoadPlan.Hold.OFF,
            false);
    LoadReport report = new LoadTest(p).run(LoadTest.Progress.NONE);

    assertThat(report.requests()).isZero();
    assertThat(report.errors(ErrorKind.TIMEOUT)).isGreaterThanOrEqualTo(2);
    assertThat(report.errors()).containsOnlyKeys(ErrorKind.TIMEOUT);

    long began = System.nanoTime();
    LoadReport n = new LoadTest(p.withRequests(10)).run(LoadTest.Progress.NONE);
    assertThat(n.errors(ErrorKind.TIMEOUT)).isPositive();
    assertThat(System.nanoTime() - began).isLessThan(Duration.ofSeconds(5).toNanos());
  }

  @Test
  void aRateIsHeldAndLatencyCountsFromTheSchedule() throws Exception {
    LoadPlan p = plan(url("/"), 4, 1, 1);
    p =
        new LoadPlan(
            p.target(),
            4,
            1,
            Duration.ofSeconds(2),
            0,
            Duration.ofSeconds(1),
            100,
            1,
            "GET",
            List.of(),
            null,
            64,
            Duration.ofSeconds(5),
            false,
            LoadPlan.Hold.OFF,
            false);
    LoadReport report = new LoadTest(p).run(LoadTest.Progress.NONE);

    // 100/s for 2 s after a second of warmup: 200, give or take the requests in flight at either
    // end (the machine may be loaded: a late answer still counts, timed from its slot).
    assertThat(report.requests()).as("%s", report).isBetween(185L, 205L);
    assertThat(report.timeline()).isNotEmpty();
    assertThat(report.timeline().getFirst().perSecond()).isBetween(85.0, 115.0);
  }

  @Test
  void aBodyIsSentWithItsLength() throws Exception {
    LoadPlan p = plan(url("/echo"), 1, 1, 10);
    p =
        new LoadPlan(
            p.target(),
            1,
            1,
            null,
            10,
            Duration.ZERO,
            0,
            1,
            "POST",
            List.of("X-Test: 1"),
            "0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            64,
            Duration.ofSeconds(5),
            false,
            LoadPlan.Hold.OFF,
            false);
    LoadReport report = new LoadTest(p).run(LoadTest.Progress.NONE);

    assertThat(report.requests()).isEqualTo(10);
    assertThat(report.statusClasses()[2]).isEqualTo(10);
  }

  @Test
  void tcpEchoRoundTripsAreCountedByMessage() throws Exception {
    var echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(echo);
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              while (!echo.isClosed()) {
                try {
                  Socket s = echo.accept();
                  Thread.ofPlatform().daemon().start(() -> copy(s));
                } catch (IOException e) {
                  return;
                }
              }
            });
    LoadPlan p = plan("tcp://127.0.0.1:" + echo.getLocalPort(), 3, 1, 600);
    LoadReport report = new LoadTest(with(p, 4, 0, null)).run(LoadTest.Progress.NONE);

    assertThat(report.requests()).isEqualTo(600);
    assertThat(report.errors()).isEmpty();
    assertThat(report.bytesRead()).isEqualTo(600L * 64);
  }

  private static void copy(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // The load closed it.
    }
  }
}
