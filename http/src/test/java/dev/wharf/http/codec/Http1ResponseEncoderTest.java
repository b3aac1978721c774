package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.http.Headers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Http1ResponseEncoderTest {
  private static String head(int status, Headers headers, long contentLength) {
    return new String(
        Http1ResponseEncoder.encodeHead(status, headers, contentLength),
        StandardCharsets.ISO_8859_1);
  }

  @Test
  void writesTheStatusLineTheFieldsAndTheLength() {
    var headers =
        Headers.builder().add("Content-Type", "text/plain").add("Server", "wharf").build();
    assertThat(head(200, headers, 13))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: wharf\r\n"
                + "Content-Length: 13\r\n\r\n");
    assertThat(head(204, Headers.EMPTY, -1)).isEqualTo("HTTP/1.1 204 No Content\r\n\r\n");
    assertThat(head(200, Headers.EMPTY, 0))
        .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(head(200, Headers.EMPTY, 9_876_543_210L))
        .contains("\r\nContent-Length: 9876543210\r\n");
    assertThat(
            new String(Http1ResponseEncoder.encodeHead(404, headers), StandardCharsets.ISO_8859_1))
        .startsWith("HTTP/1.1 404 Not Found\r\n")
        .doesNotContain("Content-Length");
  }

  @Test
  void aServerHeadFromABuilderPutsItsEncodedLinesAfterTheFields() {
    var fields = Headers.builder().add("Content-Type", "text/plain");
    byte[] encoded =
        "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: wharf\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    int length = Http1ResponseEncoder.headLength(200, fields, encoded, 13);
    byte[] out = new byte[length + 5];

    int written = Http1ResponseEncoder.encodeHead(200, fields, encoded, 13, out);

    assertThat(written).isEqualTo(length);
    assertThat(new String(out, 0, written, StandardCharsets.ISO_8859_1))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: wharf\r\n"
                + "Content-Length: 13\r\n\r\n");
    assertThat(fields.size()).as("the builder is read, not changed").isEqualTo(1);
  }

  @Test
  void aServerHeadFromABuilderStillRefusesWhatCouldSplitIt() {
    var fields = Headers.builder().add("X-A", "a\r\nSet-Cookie: x");
    byte[] out = new byte[256];
    assertThatThrownBy(() -> Http1ResponseEncoder.encodeHead(200, fields, new byte[0], -1, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-A");
  }

  @Test
  void aStatusWithoutAReasonKeepsItsSpace() {
    assertThat(head(299, Headers.EMPTY, -1)).isEqualTo("HTTP/1.1 299 \r\n\r\n");
  }

  @Test
  void valuesAreLatin1() {
    var headers = Headers.builder().add("X-Name", "caf\u00e9").build();
    byte[] bytes = Http1ResponseEncoder.encodeHead(200, headers, -1);
    assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).contains("X-Name: caf\u00e9\r\n");
  }

  @Test
  void refusesWhatCouldSplitAResponse() {
    assertThatThrownBy(
            () ->
                Http1ResponseEncoder.encodeHead(
                    200, Headers.builder().add("X-A", "a\r\nSet-Cookie: x").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-A");
    assertThatThrownBy(
            () -> Http1ResponseEncoder.encodeHead(200, Headers.builder().add("X A", "a").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> Http1ResponseEncoder.encodeHead(200, Headers.builder().add("", "a").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                Http1ResponseEncoder.encodeHead(200, Headers.builder().add("X", "\u0100").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Http1ResponseEncoder.encodeHead(99, Headers.EMPTY))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
