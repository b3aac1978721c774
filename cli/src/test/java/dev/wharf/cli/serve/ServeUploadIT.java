package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real {@code wharf serve --upload}, with curl uploading to it. */
class ServeUploadIT extends EndToEnd {

  private int serve(Path root, String... extra) throws Exception {
    return serveOnLoopback(dir.resolve("serve.out"), Map.of(), root, extra);
  }

  @Test
  void withoutUploadPutIsNotAllowed() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path file = randomFile("up.bin", 1000);
    int port = serve(root);
    assertThat(curlWithStatus("-T", file.toString(), "http://127.0.0.1:" + port + "/up.bin"))
        .endsWith(" 405");
    assertThat(root.resolve("up.bin")).doesNotExist();
  }

  @Test
  void curlUploadsWithPutAndFormsAndServeKeepsWhatExists() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path file = randomFile("up.bin", 20 << 20);
    Path out = dir.resolve("serve.out");
    int port = serve(root, "--upload", "--max-upload", "30M");
    assertThat(
            EndToEnd.awaitMatch(
                out, Pattern.compile("(Uploads on: PUT or POST files up to \\S+ MiB)")))
        .isEqualTo("Uploads on: PUT or POST files up to 30.0 MiB");
    assertThat(Files.readString(out)).contains("30.0 MiB; existing files are kept.");
    String base = "http://127.0.0.1:" + port;

    assertThat(curlWithStatus("-T", file.toString(), base + "/up.bin"))
        .isEqualTo("created /up.bin (20971520 bytes)\n 201");
    assertThat(sha256(root.resolve("up.bin"))).isEqualTo(sha256(file));
    assertThat(curlWithStatus("-T", file.toString(), base + "/up.bin"))
        .endsWith(" 409")
        .contains("already exists");

    assertThat(curlWithStatus("-F", "file=@" + file + ";filename=form.bin", base + "/"))
        .isEqualTo("saved form.bin (20971520 bytes)\n 201");
    assertThat(sha256(root.resolve("form.bin"))).isEqualTo(sha256(file));

    Path big = randomFile("big.bin", 31 << 20);
    assertThat(curlWithStatus("-T", big.toString(), base + "/big.bin")).endsWith(" 413");
    assertThat(root.resolve("big.bin")).doesNotExist();
  }

  @Test
  void withAuthOnlyTheRightUserUploads() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Path file = randomFile("up.bin", 3 << 20);
    int port = serve(root, "--upload", "--auth", "ann:s3cret", "--cors");
    String url = "http://127.0.0.1:" + port + "/up.bin";
    // curl waits on 100-continue for 3 MiB: the 401 comes before any body byte is sent.
    assertThat(curlWithStatus("-T", file.toString(), url)).endsWith(" 401");
    assertThat(curlWithStatus("-u", "ann:wrong", "-T", file.toString(), url)).endsWith(" 401");
    assertThat(root.resolve("up.bin")).doesNotExist();
    assertThat(curlWithStatus("-u", "ann:s3cret", "-T", file.toString(), url)).endsWith(" 201");
    assertThat(sha256(root.resolve("up.bin"))).isEqualTo(sha256(file));
    // A page of another origin may ask to PUT; the preflight needs no password.
    assertThat(
            curlWithStatus(
                "-X",
                "OPTIONS",
                "-i",
                "-H",
                "Origin: https://app.example",
                "-H",
                "Access-Control-Request-Method: PUT",
                url))
        .contains("Access-Control-Allow-Methods: GET, HEAD, OPTIONS, PUT, POST")
        .endsWith(" 204");
  }

  @Test
  void overwriteReplaces() throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    Files.writeString(root.resolve("notes.txt"), "old");
    Path file = Files.writeString(dir.resolve("notes.txt"), "new");
    int port = serve(root, "--upload", "--overwrite");
    assertThat(curlWithStatus("-T", file.toString(), "http://127.0.0.1:" + port + "/notes.txt"))
        .endsWith(" 200");
    assertThat(Files.readString(root.resolve("notes.txt"))).isEqualTo("new");
  }

  @Test
  void overwriteWithoutUploadIsAOneLineMistake() throws Exception {
    Child serve = wharf(null, null, "serve", "--overwrite", "--port", "0");
    serve.assertExitsWith(2, "wharf serve: --overwrite goes with --upload");
  }
}
