package dev.wharf.cli.get;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.WebSocketEndToEnd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf get} and {@code wharf ws} send Basic credentials from {@code -u} and from the URL's
 * {@code user:password@}, as curl does, against {@code wharf serve --auth}; and print the password
 * nowhere, -v included.
 */
class CredentialsIT extends WebSocketEndToEnd {

  @Test
  void getSendsTheCredentialsOfTheUrlOrOfDashU() throws Exception {
    Path www = Files.createDirectory(dir.resolve("www"));
    Files.writeString(www.resolve("a.txt"), "for ann\n");
    int port = serve(www, "--auth", "ann:s3cret");

    Child fromUrl = get("http://ann:s3cret@127.0.0.1:" + port + "/a.txt");
    assertThat(fromUrl.awaitExit()).isZero();
    assertThat(read(dir.resolve("get.out"))).isEqualTo("for ann\n");

    Child fromOption = get("-v", "-u", "ann:s3cret", "http://127.0.0.1:" + port + "/a.txt");
    assertThat(fromOption.awaitExit()).isZero();
    assertThat(read(dir.resolve("get.out"))).isEqualTo("for ann\n");
    assertThat(fromOption.errLines()).contains("> Authorization: Basic [hidden]");
    assertNoPassword(fromOption, "s3cret");

    Child wrong = get("-f", "-v", "http://ann:wr0ng@127.0.0.1:" + port + "/a.txt");
    assertThat(wrong.awaitExit()).isEqualTo(CurlExit.HTTP_ERROR);
    assertThat(wrong.errLines()).isNotEmpty();
    assertNoPassword(wrong, "wr0ng");
  }

  @Test
  void wsSendsTheCredentialsOfTheUrlOrOfDashU() throws Exception {
    int port = serve(Files.createDirectory(dir.resolve("www")), "--auth", "ann:s3cret");
    Path in = Files.writeString(dir.resolve("in.txt"), "let me in\n");
    Path out = dir.resolve("out.txt");

    Child fromUrl = ws(in, out, "-v", "ws://ann:s3cret@127.0.0.1:" + port + "/ws/echo");
    assertThat(fromUrl.awaitExit()).as("stderr %s", fromUrl.errLines()).isZero();
    assertThat(read(out)).isEqualTo("let me in\n");
    assertNoPassword(fromUrl, "s3cret");

    Child fromOption = ws(in, out, "-u", "ann:s3cret", "ws://127.0.0.1:" + port + "/ws/echo");
    assertThat(fromOption.awaitExit()).isZero();
    assertThat(read(out)).isEqualTo("let me in\n");
  }

  private Child get(String... args) throws Exception {
    var all = new ArrayList<>(List.of("get"));
    all.addAll(List.of(args));
    return wharf(null, dir.resolve("get.out"), all.toArray(String[]::new));
  }

  private static void assertNoPassword(Child child, String password) {
    String base64 =
        Base64.getEncoder().encodeToString(("ann:" + password).getBytes(StandardCharsets.UTF_8));
    assertThat(child.errLines())
        .allSatisfy(line -> assertThat(line).doesNotContain(password).doesNotContain(base64));
  }
}
