package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.CapturedLog;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.ExternalProcess.Result;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A blocking route whose handler is a {@link LoopFirstHandler}: asked first on the loop, run on a
 * virtual thread only when it declines, and a failure on the loop answered as any handler's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopFirstHandlerIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "loop-first-it", true);
  private HttpServer server;

  /** Says where it ran: "/fast" on the loop, "/boom" fails there, the rest on a virtual thread. */
  private static final class WhereItRan implements LoopFirstHandler {
    @Override
    public boolean handleWithoutBlocking(ServerRequest request, ServerResponse response) {
      switch (request.path()) {
        case "/fast" -> {
          response.send("fast, " + thread());
          return true;
        }
        case "/boom" -> throw new IllegalStateException("failed on the loop");
        default -> {
          return false;
        }
      }
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) throws InterruptedException {
      if (request.path().equals("/slower")) {
        Thread.sleep(300); // Slow on purpose: the pipelined requests behind it pile up.
      }
      response.send("slow, " + thread());
    }

    private static String thread() {
      return Thread.currentThread().isVirtual() ? "on a virtual thread" : "on the loop";
    }
  }

  @BeforeEach
  void start() throws Exception {
    server =
        HttpServer.builder(group)
            .routeBlocking("GET", "/*", new WhereItRan())
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void whatItAnswersAtOnceIsAnsweredOnTheLoopAndTheRestOnAVirtualThread() throws Exception {
    // One curl, one connection: the answers keep their order whichever thread made them.
    Result run = curl("-sS", url("/fast"), "-w", "|", url("/slow"), "-w", "|", url("/fast"));
    assertThat(run.outLatin1())
        .isEqualTo("fast, on the loop|slow, on a virtual thread|fast, on the loop|");
  }

  /**
   * The requests queued behind a slow one are then answered on the loop, each completion starting
   * the next: thousands of them must not nest as deep (they overflowed the loop's stack, and the
   * connection stalled).
   */
  @Test
  void thousandsOfPipelinedRequestsBehindASlowOneAreAllAnsweredInOrder() throws Exception {
    int fast = 5_000;
    var requests = new StringBuilder("GET /slower HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = 0; i < fast; i++) {
      requests.append("GET /fast HTTP/1.1\r\nHost: x\r\n");
      requests.append(i == fast - 1 ? "Connection: close\r\n\r\n" : "\r\n");
    }
    try (var socket = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(30_000);
      var writer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      socket
                          .getOutputStream()
                          .write(
                              requests
                                  .toString()
                                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    } catch (java.io.IOException e) {
                      // The reader below fails the test.
                    }
                  });
      String answers =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      writer.join();
      assertThat(answers.split("HTTP/1.1 200 OK", -1)).hasSize(fast + 2);
      assertThat(answers.indexOf("slow, on a virtual thread"))
          .isLessThan(answers.indexOf("fast, on the loop"));
      assertThat(answers).endsWith("fast, on the loop");
    }
  }

  @Test
  void aFailureOnTheLoopIs500() throws Exception {
    // The failure is logged as a warning: captured here, so a green build reads green.
    try (var log =
        CapturedLog.expect(Dispatcher.class, Level.WARNING, IllegalStateException.class)) {
      Result run = curl("-sS", "-i", url("/boom"));
      assertThat(run.outLatin1()).startsWith("HTTP/1.1 500");
      assertThat(log.records())
          .singleElement()
          .satisfies(r -> assertThat(r.getThrown()).hasMessage("failed on the loop"));
    }
  }

  @Test
  void headOfWhatItAnswersOnTheLoopHasNoBody() throws Exception {
    Result run = curl("-sS", "-I", url("/fast"));
    assertThat(run.outLatin1()).startsWith("HTTP/1.1 200").contains("Content-Length: 17");
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private static Result curl(String... args) throws Exception {
    var command = new String[args.length + 1];
    command[0] = "curl";
    System.arraycopy(args, 0, command, 1, args.length);
    return ExternalProcess.run(Duration.ofSeconds(30), command);
  }
}
