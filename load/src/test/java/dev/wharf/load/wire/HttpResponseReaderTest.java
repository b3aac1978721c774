package dev.wharf.load.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The load's response reader, fed whole, a byte at a time and in seeded random pieces. */
class HttpResponseReaderTest {
  private final List<String> seen = new ArrayList<>();
  private final HttpResponseReader reader =
      new HttpResponseReader((status, close) -> seen.add(status + (close ? " close" : "")));

  /** Feeds {@code text} in pieces: 0 whole, 1 a byte at a time, else random splits seeded so. */
  private void feed(int feed, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    Random random = new Random(feed);
    int at = 0;
    while (at < bytes.length) {
      int n = feed == 0 ? bytes.length : feed == 1 ? 1 : 1 + random.nextInt(17);
      n = Math.min(n, bytes.length - at);
      ByteBuffer piece = ByteBuffer.allocateDirect(n).put(bytes, at, n).flip();
      reader.read(piece);
      assertThat(piece.hasRemaining()).isFalse();
      at += n;
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void lengthChunkedAndEmptyBodiesEachMakeOneResponse(int feed) throws IOException {
    feed(
        feed,
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
            + "HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n"
            + "3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: 1\r\n\r\n"
            + "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
            + "HTTP/1.1 500 Oops\r\nCONNECTION: close\r\ncontent-length:  0 \r\n\r\n");
    assertThat(seen).containsExactly("200", "404", "204", "500 close");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void aBodyWithoutLengthRunsUntilTheClose(int feed) throws IOException {
    feed(feed, "HTTP/1.0 200 OK\r\n\r\nsome bytes");
    assertThat(seen).isEmpty();
    reader.closed();
    assertThat(seen).containsExactly("200 close");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void headResponsesHaveNoBody(int feed) throws IOException {
    reader.answersHead(true);
    feed(feed, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
    assertThat(seen).containsExactly("200", "200");
  }

  @Test
  void afterA101TheRestIsLeftForTheNextProtocol() throws IOException {
    var in =
        ByteBuffer.wrap(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0002hi"
                .getBytes(StandardCharsets.ISO_8859_1));
    reader.read(in);
    assertThat(seen).containsExactly("101");
    assertThat(in.remaining()).isEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "SMTP ready\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
      })
  void malformedResponsesAreErrors(String text) {
    assertThatThrownBy(() -> feed(0, text)).isInstanceOf(IOException.class);
  }

  @Test
  void aResponseCutShortByTheCloseIsAnError() throws IOException {
    feed(0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    assertThatThrownBy(reader::closed).hasMessageContaining("middle of a response");
  }
}
