package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MultipartReaderTest {
  private static final String BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

  record Feed(String name, Function<byte[], InputStream> open) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Whole, a byte at a time, and in random pieces: the reader must not care how input comes. */
  static Stream<Feed> feeds() {
    return Stream.of(
        new Feed("whole", ByteArrayInputStream::new),
        new Feed("byte by byte", data -> new Trickle(data, new Random(1), 1)),
        new Feed("random splits", data -> new Trickle(data, new Random(2), 700)));
  }

  /** Returns at most {@code max} bytes (a random count) per read. */
  static final class Trickle extends InputStream {
    private final ByteArrayInputStream in;
    private final Random random;
    private final int max;

    Trickle(byte[] data, Random random, int max) {
      this.in = new ByteArrayInputStream(data);
      this.random = random;
      this.max = max;
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, Math.min(len, 1 + random.nextInt(max)));
    }
  }

  record Read(String headers, String name, String filename, byte[] content) {}

  private static List<Read> readAll(InputStream in) throws IOException {
    var reader = new MultipartReader(in, BOUNDARY);
    var out = new ArrayList<Read>();
    for (var part = reader.next(); part.isPresent(); part = reader.next()) {
      var p = part.get();
      out.add(
          new Read(
              p.headers().toString(),
              p.name().orElse(null),
              p.filename().orElse(null),
              p.content().readAllBytes()));
    }
    return out;
  }

  private static byte[] body(String... parts) {
    var out = new ByteArrayOutputStream();
    for (String part : parts) {
      out.writeBytes(part.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @MethodSource("feeds")
  void readsFieldsAndFilesWithPreambleAndEpilogue(Feed feed) throws IOException {
    byte[] data =
        body(
            "preamble to ignore\r\n",
            "--" + BOUNDARY + "\r\n",
            "Content-Disposition: form-data; name=\"title\"\r\n\r\n",
            "hello\r\n",
            "--" + BOUNDARY + "  \r\n", // Transport padding after a boundary is allowed.
            "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n",
            "Content-Type: text/plain\r\n\r\n",
            "line one\r\n--" + BOUNDARY.substring(0, 10) + " not a boundary\r\n",
            "\r\n--" + BOUNDARY + "--\r\n",
            "epilogue");
    List<Read> parts = readAll(feed.open().apply(data));
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).name()).isEqualTo("title");
    assertThat(parts.get(0).filename()).isNull();
    assertThat(new String(parts.get(0).content(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(parts.get(1).filename()).isEqualTo("a \"b\".txt");
    assertThat(new String(parts.get(1).content(), StandardCharsets.UTF_8))
        .isEqualTo("line one\r\n--" + BOUNDARY.substring(0, 10) + " not a boundary\r\n");
  }

  @ParameterizedTest
  @MethodSource("feeds")
  void binaryContentOfAnySizeComesThroughExactly(Feed feed) throws IOException {
    byte[] blob = new byte[300_000];
    new Random(3).nextBytes(blob);
    // Plant near-boundaries in the data: CR LF and dashes followed by a wrong character.
    byte[] near = ("\r\n--" + BOUNDARY.substring(0, BOUNDARY.length() - 1) + "X").getBytes();
    System.arraycopy(near, 0, blob, 1000, near.length);
    System.arraycopy(near, 0, blob, blob.length - near.length, near.length);
    var out = new ByteArrayOutputStream();
    out.writeBytes(("--" + BOUNDARY + "\r\n").getBytes());
    out.writeBytes(
        "Content-Disposition: form-data; name=\"f\"; filename=\"blob.bin\"\r\n\r\n".getBytes());
    out.writeBytes(blob);
    out.writeBytes(("\r\n--" + BOUNDARY + "--").getBytes());
    List<Read> parts = readAll(feed.open().apply(out.toByteArray()));
    assertThat(parts).hasSize(1);
    assertThat(parts.get(0).content()).isEqualTo(blob);
  }

  @Test
  void unreadContentIsSkippedByNext() throws IOException {
    byte[] data =
        body(
            "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n",
            "x".repeat(200_000),
            "\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nB",
            "\r\n--" + BOUNDARY + "--\r\n");
    var reader = new MultipartReader(new ByteArrayInputStream(data), BOUNDARY);
    assertThat(reader.next().orElseThrow().name()).contains("a");
    var second = reader.next().orElseThrow();
    assertThat(second.name()).contains("b");
    assertThat(second.content().readAllBytes()).isEqualTo("B".getBytes());
    assertThat(reader.next()).isEmpty();
  }

  @Test
  void rfc8187FileNamesWin() throws IOException {
    byte[] data =
        body(
            "--" + BOUNDARY + "\r\n",
            "Content-Disposition: form-data; name=\"f\"; filename=\"fallback.txt\"; ",
            "filename*=UTF-8''na%C3%AFve%20file.txt\r\n\r\ndata\r\n--" + BOUNDARY + "--");
    assertThat(readAll(new ByteArrayInputStream(data)).get(0).filename())
        .isEqualTo("naïve file.txt");
  }

  @Test
  void aBodyCutOffBeforeTheClosingBoundaryIsMalformed() {
    byte[] data =
        body("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\npartial");
    assertThatThrownBy(() -> readAll(new ByteArrayInputStream(data)))
        .isInstanceOf(MultipartReader.MalformedMultipartException.class)
        .hasMessageContaining("before the closing boundary");
  }

  @Test
  void oversizedOrBrokenPartHeadersAreMalformed() {
    byte[] huge =
        body("--" + BOUNDARY + "\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\nx\r\n--" + BOUNDARY);
    assertThatThrownBy(() -> readAll(new ByteArrayInputStream(huge)))
        .isInstanceOf(MultipartReader.MalformedMultipartException.class);
    byte[] noColon = body("--" + BOUNDARY + "\r\nnot a header\r\n\r\nx\r\n--" + BOUNDARY + "--");
    assertThatThrownBy(() -> readAll(new ByteArrayInputStream(noColon)))
        .isInstanceOf(MultipartReader.MalformedMultipartException.class)
        .hasMessageContaining("malformed part header");
  }

  @Test
  void boundaryComesFromTheContentType() {
    assertThat(MultipartReader.boundary("multipart/form-data; boundary=abc")).contains("abc");
    assertThat(MultipartReader.boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""))
        .contains("a b");
    assertThat(MultipartReader.boundary("text/plain; boundary=abc")).isEmpty();
    assertThat(MultipartReader.boundary("multipart/form-data")).isEmpty();
  }
}
