package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.testkit.ExternalProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one exchange leaves behind on its connection does not reach the next: the HTTP/1.1 framing
 * object is reused from response to response (chunked or not), the Date, Server and Connection
 * lines come from bytes shared by every connection, and request lines and fields equal to the last
 * request's reuse its parse. Pipelined requests from OpenBSD {@code nc -N}, each response parsed on
 * its own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelinedReuseIT {
  @TempDir Path dir;
  private final EventLoopGroup group = new EventLoopGroup(1, "pipelined-reuse-it", true);
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        HttpServer.builder(group)
            .get("/hello", (request, response) -> response.send(200, "text/plain", hello()))
            .get(
                "/stream",
                (request, response) -> {
                  response.header("X-Streamed", "yes");
                  response.write(ByteBuffer.wrap("streamed".getBytes(StandardCharsets.US_ASCII)));
                  response.end();
                })
            .get(
                "/own",
                (request, response) -> {
                  response.header("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
                  response.header("Server", "own");
                  response.send(200, "text/plain", hello());
                })
            .get("/echo", (request, response) -> response.send(200, "text/plain", echo(request)))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /** What the handler saw: the method, the target, then each field as name=value. */
  private static byte[] echo(ServerRequest request) {
    var text = new StringBuilder(request.method() + " " + request.target() + "\n");
    request
        .headers()
        .fields()
        .forEach(f -> text.append(f.name()).append('=').append(f.value()).append('\n'));
    return text.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] hello() {
    return "Hello, World!".getBytes(StandardCharsets.US_ASCII);
  }

  @AfterEach
  void stop() {
    server.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void pipelinedResponsesCarryOnlyTheirOwnFieldsAndFraming() throws Exception {
    String requests =
        get("/stream", "HTTP/1.1", "")
            + get("/hello", "HTTP/1.1", "")
            + get("/own", "HTTP/1.1", "")
            + get("/hello", "HTTP/1.1", "")
            + get("/stream", "HTTP/1.1", "")
            + get("/hello", "HTTP/1.0", "Connection: keep-alive\r\n")
            + get("/hello", "HTTP/1.1", "Connection: close\r\n");

    List<Response> responses = exchange(requests);

    assertThat(responses).hasSize(7);
    for (int i : new int[] {0, 4}) {
      Response streamed = responses.get(i);
      assertThat(streamed.fields()).containsEntry("transfer-encoding", List.of("chunked"));
      assertThat(streamed.fields()).containsEntry("x-streamed", List.of("yes"));
      assertThat(streamed.fields()).doesNotContainKey("content-length");
      assertThat(streamed.body()).isEqualTo("streamed");
    }
    for (int i : new int[] {1, 3, 5, 6}) {
      Response plain = responses.get(i);
      assertThat(plain.fields()).as("response %d", i).doesNotContainKeys("transfer-encoding");
      assertThat(plain.fields()).as("response %d", i).doesNotContainKey("x-streamed");
      assertThat(plain.fields()).containsEntry("content-length", List.of("13"));
      assertThat(plain.fields()).containsEntry("server", List.of("wharf"));
      assertThat(plain.fields().get("date")).singleElement().asString().endsWith(" GMT");
      assertThat(plain.body()).isEqualTo("Hello, World!");
    }
    Response own = responses.get(2);
    assertThat(own.fields()).containsEntry("date", List.of("Sun, 06 Nov 1994 08:49:37 GMT"));
    assertThat(own.fields()).containsEntry("server", List.of("own"));
    assertThat(responses.get(3).fields().get("date"))
        .as("the next response has the current Date again")
        .doesNotContain("Sun, 06 Nov 1994 08:49:37 GMT");
    for (int i = 0; i < 5; i++) {
      assertThat(responses.get(i).fields()).as("response %d", i).doesNotContainKey("connection");
    }
    assertThat(responses.get(5).fields()).containsEntry("connection", List.of("keep-alive"));
    assertThat(responses.get(6).fields()).containsEntry("connection", List.of("close"));
  }

  @Test
  void pipelinedRequestsWithVaryingFieldsEachSeeTheirOwn() throws Exception {
    // The decoder reuses the parse of a line equal to the last request's: repeated, changed,
    // moved, added and dropped lines, one request after another on one connection, each must
    // reach the handler as sent.
    var random = new java.util.Random(16);
    String[] targets = {"/echo", "/echo?n=1", "/echo?n=12"};
    String[][] variants = {
      {"Host: x", "Host: y", "host: x", "Host:x", "Host: x  "},
      {"Accept: */*", "Accept: text/plain", "accept: */*"},
      {"X-Seq: 1", "X-Seq: 2", "X-Seq: 12", "X-Seq:\t1"},
      {"User-Agent: nc", "User-Agent: nc/1", "Cookie: a=1"}
    };
    var requests = new StringBuilder();
    var expected = new ArrayList<String>();
    for (int i = 0; i < 60; i++) {
      // Often the same request again, as a pipelining client sends it; else a variation.
      var lines = new ArrayList<String>();
      for (String[] options : variants) {
        if (options == variants[0] || random.nextInt(4) > 0) {
          lines.add(options[random.nextInt(4) == 0 ? random.nextInt(options.length) : 0]);
        }
      }
      if (random.nextInt(5) == 0) {
        java.util.Collections.swap(lines, 0, lines.size() - 1);
      }
      String target = targets[random.nextInt(5) == 0 ? random.nextInt(targets.length) : 0];
      requests.append("GET ").append(target).append(" HTTP/1.1\r\n");
      var echo = new StringBuilder("GET " + target + "\n");
      for (String line : lines) {
        requests.append(line).append("\r\n");
        int colon = line.indexOf(':');
        echo.append(line, 0, colon)
            .append('=')
            .append(line.substring(colon + 1).strip())
            .append('\n');
      }
      requests.append("\r\n");
      expected.add(echo.toString());
    }

    List<Response> responses = exchange(requests.toString());

    assertThat(responses.stream().map(Response::body)).containsExactlyElementsOf(expected);
    assertThat(responses.stream().map(Response::statusLine)).containsOnly("HTTP/1.1 200 OK");
  }

  private static String get(String path, String version, String fields) {
    return "GET " + path + " " + version + "\r\nHost: x\r\n" + fields + "\r\n";
  }

  /** Sends {@code requests} at once with nc (FIN after them) and reads every response. */
  private List<Response> exchange(String requests) throws IOException {
    Path input = Files.writeString(dir.resolve("requests.txt"), requests);
    var nc =
        ExternalProcess.command("nc", "-N", "127.0.0.1", Integer.toString(server.port()))
            .input(input)
            .run(Duration.ofSeconds(30));
    assertThat(nc.err()).isEmpty();
    var in = new ByteArrayInputStream(nc.stdout());
    var responses = new ArrayList<Response>();
    while (in.available() > 0) {
      responses.add(Response.read(in));
    }
    return responses;
  }

  /** A response's status line, fields by lower-case name, and body (de-chunked). */
  private record Response(String statusLine, Map<String, List<String>> fields, String body) {
    static Response read(InputStream in) throws IOException {
      String statusLine = line(in);
      var fields = new LinkedHashMap<String, List<String>>();
      for (String line = line(in); !line.isEmpty(); line = line(in)) {
        int colon = line.indexOf(':');
        fields
            .computeIfAbsent(line.substring(0, colon).toLowerCase(), k -> new ArrayList<>())
            .add(line.substring(colon + 1).strip());
      }
      String body;
      if (fields.containsKey("content-length")) {
        body = ascii(in.readNBytes(Integer.parseInt(fields.get("content-length").getFirst())));
      } else {
        var chunks = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line(in), 16); size > 0; ) {
          chunks.write(in.readNBytes(size));
          assertThat(line(in)).isEmpty();
          size = Integer.parseInt(line(in), 16);
        }
        assertThat(line(in)).as("no trailers, then the end of the chunked body").isEmpty();
        body = chunks.toString(StandardCharsets.US_ASCII);
      }
      return new Response(statusLine, fields, body);
    }

    private static String line(InputStream in) throws IOException {
      var bytes = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("end of stream inside a line: " + bytes);
        }
        bytes.write(b);
      }
      String line = bytes.toString(StandardCharsets.ISO_8859_1);
      assertThat(line).endsWith("\r");
      return line.substring(0, line.length() - 1);
    }

    private static String ascii(byte[] bytes) {
      return new String(bytes, StandardCharsets.US_ASCII);
    }
  }
}
