package dev.wharf.http.codec;

import static dev.wharf.http.codec.Http1RequestDecoderTest.assertDecodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.http.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The request encoder against the decoder the server uses: what one writes, the other reads back
 * the same, whole, byte by byte and in seeded random splits; and what the decoder would refuse
 * (400) the encoder refuses to write.
 */
class Http1RequestEncoderTest {

  private static String head(String method, String target, Headers headers) {
    return new String(
        Http1RequestEncoder.encodeHead(method, target, headers), StandardCharsets.ISO_8859_1);
  }

  @Test
  void writesTheRequestLineTheFieldsAndTheEmptyLine() {
    var headers = Headers.builder().add("Host", "example:8080").add("Accept", "*/*").build();

    assertThat(head("GET", "/a%20b?q=1&r=%2F", headers))
        .isEqualTo("GET /a%20b?q=1&r=%2F HTTP/1.1\r\nHost: example:8080\r\nAccept: */*\r\n\r\n");
  }

  @Test
  void whatItWritesTheDecoderReadsBackUnderEverySplit() {
    var headers =
        Headers.builder()
            .add("Host", "[::1]:8443")
            .add("User-Agent", "wharf")
            .add("X-Latin", "caf\u00e9")
            .add("X-Tab", "a\tb")
            .build();

    assertDecodes(
        head("DELETE", "/items/7?force=yes", headers),
        "head DELETE /items/7?force=yes HTTP/1.1 [Field[name=Host, value=[::1]:8443],"
            + " Field[name=User-Agent, value=wharf], Field[name=X-Latin, value=caf\u00e9],"
            + " Field[name=X-Tab, value=a\tb]]",
        "body ",
        "end []");
  }

  @Test
  void aChunkedBodyItFramesTheDecoderReadsBackUnderEverySplit() {
    var message = new ByteArrayOutputStream();
    message.writeBytes(
        Http1RequestEncoder.encodeHead(
            "POST",
            "/up",
            Headers.builder().add("Host", "x").add("Transfer-Encoding", "chunked").build()));
    // One byte, 15 and 16 bytes (one and two hex digits), and a larger chunk.
    for (String part : new String[] {"a", "b".repeat(15), "c".repeat(16), "d".repeat(300)}) {
      byte[] data = part.getBytes(StandardCharsets.US_ASCII);
      message.writeBytes(ChunkedEncoder.chunkStart(data.length));
      message.writeBytes(data);
      message.writeBytes(bytes(ChunkedEncoder.chunkEnd()));
    }
    message.writeBytes(bytes(ChunkedEncoder.lastChunk()));

    assertDecodes(
        message.toString(StandardCharsets.ISO_8859_1),
        "head POST /up HTTP/1.1 [Field[name=Host, value=x],"
            + " Field[name=Transfer-Encoding, value=chunked]]",
        "body a" + "b".repeat(15) + "c".repeat(16) + "d".repeat(300),
        "end []");
  }

  @Test
  void chunkSizesAreLowerCaseHex() {
    assertThat(new String(ChunkedEncoder.chunkStart(1), StandardCharsets.US_ASCII))
        .isEqualTo("1\r\n");
    assertThat(new String(ChunkedEncoder.chunkStart(255), StandardCharsets.US_ASCII))
        .isEqualTo("ff\r\n");
    assertThat(new String(ChunkedEncoder.chunkStart(65_536), StandardCharsets.US_ASCII))
        .isEqualTo("10000\r\n");
    assertThat(new String(ChunkedEncoder.chunkStart(Integer.MAX_VALUE), StandardCharsets.US_ASCII))
        .isEqualTo("7fffffff\r\n");
    assertThatIllegalArgumentException().isThrownBy(() -> ChunkedEncoder.chunkStart(0));
  }

  @Test
  void refusesWhatCouldSmuggleASecondRequest() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/a HTTP/1.1\r\nHost: evil\r\n\r\nGET /b", Headers.EMPTY))
        .withMessageStartingWith("invalid character in request target: '/a HTTP/1.1\\x0d\\x0a");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/a b", Headers.EMPTY))
        .withMessageStartingWith("invalid character in request target");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/\u0000", Headers.EMPTY))
        .withMessageStartingWith("invalid character in request target");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/caf\u00e9", Headers.EMPTY))
        .withMessageStartingWith("invalid character in request target");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "", Headers.EMPTY))
        .withMessage("empty request target");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET /x", "/", Headers.EMPTY))
        .withMessage("invalid method: 'GET /x'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("", "/", Headers.EMPTY))
        .withMessage("invalid method: ''");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> head("GET", "/", Headers.builder().add("X-A", "a\r\nX-Injected: 1").build()))
        .withMessage("invalid character in value of header X-A");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/", Headers.builder().add("X-A", "a\u0000").build()))
        .withMessage("invalid character in value of header X-A");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/", Headers.builder().add("X-A", "\u20ac").build()))
        .withMessage("invalid character in value of header X-A");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/", Headers.builder().add("X\nA", "a").build()))
        .withMessage("invalid character in header name: X\\x0aA");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/", Headers.builder().add("X A", "a").build()))
        .withMessage("invalid character in header name: X A");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> head("GET", "/", Headers.builder().add("", "a").build()))
        .withMessage("empty header name");
  }

  @Test
  void theInterimContinueIsTheResponseEncodersHead() {
    assertThat(StandardCharsets.US_ASCII.decode(ExpectContinue.interimResponse()).toString())
        .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
