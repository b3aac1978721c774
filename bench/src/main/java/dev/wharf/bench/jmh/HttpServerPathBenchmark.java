package dev.wharf.bench.jmh;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.server.HttpServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The HTTP server's own work per request, without sockets: the request decoded, routed and answered
 * by a plaintext handler, the response head encoded and written, on one kept-alive {@link
 * EmbeddedConnection}. Run with {@code -prof gc} for the bytes allocated per request.
 *
 * <p>The server is made as a user makes one ({@link HttpServer#builder}, defaults, no access log);
 * {@link HttpServer.Builder#protocol()} gives its protocol for a connection with no socket. The
 * harness adds its own allocation (the output read out as an array per read).
 */
public class HttpServerPathBenchmark {
  private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

  /** What wrk sends, and what a browser sends. */
  private static final String WRK = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

  private static final String BROWSER =
      "GET /plaintext HTTP/1.1\r\n"
          + "Host: localhost:8080\r\n"
          + "Connection: keep-alive\r\n"
          + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Chrome/130.0.0.0 Safari/537.36\r\n"
          + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
          + "Sec-Fetch-Site: none\r\n"
          + "Sec-Fetch-Mode: navigate\r\n"
          + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
          + "Accept-Language: en-US,en;q=0.9\r\n"
          + "Cookie: session=0123456789abcdef\r\n"
          + "\r\n";

  /** One connection with one route, and requests to feed it again and again. */
  @State(Scope.Thread)
  public static class Server {
    @Param({"wrk", "browser"})
    public String client;

    EventLoopGroup unused; // The builder's: nothing runs on it here.
    EmbeddedConnection connection;
    ByteBuffer one;
    ByteBuffer sixteen;

    @Setup
    public void setUp() {
      String request = client.equals("wrk") ? WRK : BROWSER;
      one = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
      sixteen = ByteBuffer.wrap(request.repeat(16).getBytes(StandardCharsets.ISO_8859_1));
      unused = new EventLoopGroup(1, "bench-unused", true);
      var server =
          HttpServer.builder(unused)
              .route(
                  "GET", "/plaintext", (req, response) -> response.send(200, "text/plain", HELLO));
      connection = EmbeddedConnection.of(new FakeClock(), server.protocol());
      connection.writeInbound(one.rewind());
      connection.checkException();
      if (connection.readOutbound().length == 0 || connection.isClosed()) {
        throw new IllegalStateException("the server did not answer");
      }
    }

    @TearDown
    public void tearDown() {
      unused.close();
    }
  }

  /** One request in one read, as wrk's keep-alive test sends them. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int oneRequest(Server s) {
    s.connection.writeInbound(s.one.rewind());
    return s.connection.readOutbound().length;
  }

  /** 16 requests in one read, as TechEmpower's pipelined test; the score is per request. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @OperationsPerInvocation(16)
  public int sixteenPipelined(Server s) {
    s.connection.writeInbound(s.sixteen.rewind());
    return s.connection.readOutbound().length;
  }
}
