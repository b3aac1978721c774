package dev.wharf.http.server;

import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.HttpLimits;
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

/**
 * The HTTP server's own work per request, without sockets: the request decoded, routed and answered
 * by a plaintext handler, the response head encoded and written, on one kept-alive {@link
 * EmbeddedConnection}. Run with {@code -prof gc} for the bytes allocated per request.
 *
 * <p>In package {@code dev.wharf.http} to reach the server's protocol, which is package-private. It
 * uses only what older builds of Wharf have too, so the same jar can measure one against another by
 * swapping {@code wharf-http} and {@code wharf-core} on the class path. The harness adds its own
 * allocation (the output read out as an array per read), the same on both.
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

    EmbeddedConnection connection;
    ByteBuffer one;
    ByteBuffer sixteen;

    @Setup
    public void setUp() {
      String request = client.equals("wrk") ? WRK : BROWSER;
      one = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
      sixteen = ByteBuffer.wrap(request.repeat(16).getBytes(StandardCharsets.ISO_8859_1));
      // No access log, as HttpServer's default. Builds before null meant "none" needed a
      // consumer (their default was one that did nothing; null fails and closes): use that.
      connection = connect(null);
      connection.writeInbound(one.rewind());
      if (connection.isClosed()) {
        connection = connect(entry -> {});
        connection.writeInbound(one.rewind());
      }
      if (connection.readOutbound().length == 0 || connection.isClosed()) {
        throw new IllegalStateException("the server did not answer");
      }
    }

    private static EmbeddedConnection connect(
        java.util.function.Consumer<AccessLogEntry> accessLog) {
      var routes = new Routes();
      routes.add(
          "GET",
          "/plaintext",
          new Routes.Route((request, response) -> response.send(200, "text/plain", HELLO), false));
      var config =
          new HttpServer.Config(
              routes,
              new Routes.Route((request, response) -> response.status(404).end(), false),
              HttpLimits.DEFAULTS,
              HttpTimeouts.DEFAULTS,
              accessLog);
      return EmbeddedConnection.of(new FakeClock(), new Http1ServerProtocol(config));
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
