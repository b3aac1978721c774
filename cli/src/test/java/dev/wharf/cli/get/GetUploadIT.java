package dev.wharf.cli.get;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf get} uploads files as curl does, in constant memory: the child's heap is capped far
 * below the file's size, so reading the file whole would end in an OutOfMemoryError. The server (a
 * Python script) answers with the length and SHA-256 of what it received.
 *
 * <p>The arguments are written {@code --data-binary=@FILE}: picocli would otherwise take a lone
 * {@code @FILE} for a file of arguments.
 */
class GetUploadIT extends EndToEnd {
  private static final long BIG = 256L << 20;
  private static final Map<String, String> SMALL_HEAP = Map.of("JDK_JAVA_OPTIONS", "-Xmx64m");

  private int port;

  @BeforeEach
  void startServer() throws Exception {
    Path script = Path.of(getClass().getResource("/curl_habits_server.py").toURI());
    Path out = dir.resolve("server.out");
    peer(null, out, "/usr/bin/python3", "-u", script.toString());
    port = Integer.parseInt(EndToEnd.awaitMatch(out, Pattern.compile("port (\\d+)")));
  }

  @Test
  void dataBinaryAndUploadFileSendAFileLargerThanTheHeap() throws Exception {
    Path big = dir.resolve("big.bin");
    try (var file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(BIG); // Sparse: made at once, and its digest is that of zeros.
    }
    String digest = zerosDigest(BIG);

    assertThat(run("--data-binary=@" + big, "http://127.0.0.1:" + port + "/post"))
        .isEqualTo("/post " + BIG + " " + digest + "\n");
    // -T PUTs, and a URL ending in / gets the file's name, as with curl.
    assertThat(run("-T", big.toString(), "http://127.0.0.1:" + port + "/up/"))
        .isEqualTo("/up/big.bin " + BIG + " " + digest + "\n");
  }

  @Test
  void dataFromAFileLosesItsLineBreaksAndDataBinaryKeepsThem() throws Exception {
    Path text = Files.writeString(dir.resolve("form.txt"), "a=1\r\n&b=2\n");

    assertThat(run("--data=@" + text, "http://127.0.0.1:" + port + "/"))
        .isEqualTo("/ 7 " + digest("a=1&b=2") + "\n");
    assertThat(run("--data-binary=@" + text, "http://127.0.0.1:" + port + "/"))
        .isEqualTo("/ 10 " + digest("a=1\r\n&b=2\n") + "\n");
  }

  @Test
  void atDashReadsStdinAndSendsItChunked() throws Exception {
    Path stdin = randomFile("stdin.bin", 300_000);

    Path out = dir.resolve("get.out");
    Child get =
        wharf(SMALL_HEAP, stdin, out, "get", "--data-binary=@-", "http://127.0.0.1:" + port + "/");

    assertThat(get.awaitExit()).isEqualTo(0);
    assertThat(Files.readString(out)).isEqualTo("/ 300000 " + sha256(stdin) + "\n");
  }

  private String run(String... args) throws IOException, InterruptedException {
    Path out = dir.resolve("get.out");
    var all = new String[args.length + 1];
    all[0] = "get";
    System.arraycopy(args, 0, all, 1, args.length);
    Child get = wharf(SMALL_HEAP, null, out, all);
    assertThat(get.awaitExit()).as("exit code; stderr %s", get.errLines()).isEqualTo(0);
    return Files.readString(out);
  }

  private static String zerosDigest(long length) throws Exception {
    var sha = MessageDigest.getInstance("SHA-256");
    byte[] zeros = new byte[1 << 20];
    for (long left = length; left > 0; left -= zeros.length) {
      sha.update(zeros, 0, (int) Math.min(left, zeros.length));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String digest(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
