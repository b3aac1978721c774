package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real {@code wharf serve --auth} and {@code --cors}, with curl as the client. */
class ServeAuthAndCorsIT extends EndToEnd {
  private final AtomicInteger runs = new AtomicInteger();
  private Child server;

  private String serve(String... extra) throws Exception {
    Path root = dir.resolve("www");
    if (!Files.isDirectory(root)) {
      Files.createDirectory(root);
      Files.writeString(root.resolve("hello.txt"), "hello, world\n");
    }
    Path out = dir.resolve("serve.out");
    var args = new ArrayList<>(List.of("serve", root.toString(), "--port", "0", "--bind"));
    args.add("127.0.0.1");
    args.addAll(List.of(extra));
    server = wharf(null, out, args.toArray(String[]::new));
    String port = EndToEnd.awaitMatch(out, Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/"));
    return "http://127.0.0.1:" + port + "/hello.txt";
  }

  /** curl's output (with -i, the head and the body), after it exited 0. */
  private String curl(String... args) throws Exception {
    Path out = dir.resolve("curl-" + runs.incrementAndGet() + ".out");
    var command = new ArrayList<>(List.of("curl", "-sS", "-i"));
    command.addAll(List.of(args));
    Child curl = peer(null, out, command.toArray(String[]::new));
    assertThat(curl.awaitExit()).as("curl exit; stderr %s", curl.errLines()).isZero();
    return Files.readString(out, StandardCharsets.ISO_8859_1);
  }

  @Test
  void curlWithTheRightUserGetsTheFileAndOtherwise401() throws Exception {
    String url = serve("--auth", "ann:s3:cr3t");

    assertThat(curl("--user", "ann:s3:cr3t", url))
        .startsWith("HTTP/1.1 200 OK\r\n")
        .endsWith("\r\n\r\nhello, world\n");
    String wrong = curl("--user", "ann:s3:cr4t", url);
    assertThat(wrong)
        .startsWith("HTTP/1.1 401 Unauthorized\r\n")
        .contains("\r\nWWW-Authenticate: Basic realm=\"wharf\", charset=\"UTF-8\"\r\n")
        .doesNotContain("hello, world");
    assertThat(curl(url)).startsWith("HTTP/1.1 401 Unauthorized\r\n");
    assertThat(curl("-I", url)).startsWith("HTTP/1.1 401 Unauthorized\r\n");
    assertThat(curl("-I", "--user", "ann:s3:cr3t", url))
        .startsWith("HTTP/1.1 200 OK\r\n")
        .contains("\r\nContent-Length: 13\r\n");

    server.awaitErr("\"GET /hello.txt HTTP/1.1\" 200 13");
    server.awaitErr("\"GET /hello.txt HTTP/1.1\" 401 ");
    // On 127.0.0.1 the password never leaves the machine: no warning.
    assertThat(server.errLines()).noneMatch(line -> line.contains("warning"));
  }

  @Test
  void optionsStarAsksForThePasswordToo() throws Exception {
    String url = serve("--auth", "ann:pw");

    assertThat(curl("-X", "OPTIONS", "--request-target", "*", url))
        .startsWith("HTTP/1.1 401 Unauthorized\r\n")
        .doesNotContain("\r\nAllow: ");
    assertThat(curl("-X", "OPTIONS", "--request-target", "*", "--user", "ann:pw", url))
        .startsWith("HTTP/1.1 204 No Content\r\n")
        .contains("\r\nAllow: GET, HEAD, OPTIONS\r\n");
  }

  @Test
  void aPreflightNeedsNoPasswordAndEveryAnswerCarriesCorsHeaders() throws Exception {
    String url = serve("--auth", "ann:pw", "--cors");

    String preflight =
        curl(
            "-X",
            "OPTIONS",
            "-H",
            "Origin: https://app.example",
            "-H",
            "Access-Control-Request-Method: GET",
            "-H",
            "Access-Control-Request-Headers: Range, If-None-Match, Authorization",
            url);
    assertThat(preflight)
        .startsWith("HTTP/1.1 204 No Content\r\n")
        .contains("\r\nAccess-Control-Allow-Origin: *\r\n")
        .contains("\r\nAccess-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n")
        .contains("\r\nAccess-Control-Allow-Headers: Range, If-None-Match, Authorization\r\n")
        .contains("\r\nAccess-Control-Max-Age: 600\r\n");

    String expose =
        "\r\nAccess-Control-Expose-Headers: Content-Length, Content-Range, ETag, Last-Modified,"
            + " Accept-Ranges\r\n";
    String ranged = curl("--user", "ann:pw", "-H", "Origin: https://app.example", "-r", "0-4", url);
    assertThat(ranged)
        .startsWith("HTTP/1.1 206 Partial Content\r\n")
        .contains("\r\nAccess-Control-Allow-Origin: *\r\n")
        .contains(expose)
        .contains("\r\nContent-Range: bytes 0-4/13\r\n")
        .endsWith("\r\n\r\nhello");
    // A page must be able to see that it needs to log in.
    assertThat(curl("-H", "Origin: https://app.example", url))
        .startsWith("HTTP/1.1 401 Unauthorized\r\n")
        .contains("\r\nAccess-Control-Allow-Origin: *\r\n");
    // OPTIONS that is no preflight is an ordinary request: it needs the password.
    assertThat(curl("-X", "OPTIONS", url)).startsWith("HTTP/1.1 401 Unauthorized\r\n");
    assertThat(curl("-X", "OPTIONS", "--user", "ann:pw", url))
        .startsWith("HTTP/1.1 204 No Content\r\n")
        .contains("\r\nAllow: GET, HEAD, OPTIONS\r\n");
  }

  @Test
  void aNamedOriginIsSentWithVaryOrigin() throws Exception {
    String url = serve("--cors=http://localhost:3000");
    String answer = curl("-H", "Origin: http://localhost:3000", url);
    assertThat(answer)
        .startsWith("HTTP/1.1 200 OK\r\n")
        .contains("\r\nAccess-Control-Allow-Origin: http://localhost:3000\r\n")
        .contains("\r\nVary: Origin\r\n");
  }
}
