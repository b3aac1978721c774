package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.ResponseHead;
import dev.wharf.testkit.Feed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http1ResponseDecoderTest {

  static final class Transcript implements Http1ResponseDecoder.Sink {
    final List<String> events = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();

    @Override
    public void informational(ResponseHead head) {
      events.add("interim " + head.status());
    }

    @Override
    public void head(ResponseHead head) {
      events.add("head " + head.status() + " " + head.reason());
    }

    @Override
    public void body(ByteBuffer chunk) {
      body.append(StandardCharsets.ISO_8859_1.decode(chunk));
    }

    @Override
    public void end(Headers trailers) {
      events.add("body " + body + " trailers " + trailers.size());
      body.setLength(0);
    }
  }

  /** Decodes under every feed (whole, byte by byte, random splits), then ends the input. */
  private static void assertDecodes(List<String> methods, String input, String... expected) {
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    List<List<ByteBuffer>> ways = Feed.ways(bytes, 30, 5, 40);
    for (int round = 0; round < ways.size(); round++) {
      var decoder = new Http1ResponseDecoder(HttpLimits.DEFAULTS);
      methods.forEach(decoder::expect);
      var transcript = new Transcript();
      for (ByteBuffer piece : ways.get(round)) {
        decoder.decode(piece, transcript);
      }
      decoder.endOfInput(transcript);
      assertThat(transcript.events).as("round %d", round).containsExactly(expected);
    }
  }

  @Test
  void lengthChunkedAndCloseDelimitedBodies() {
    assertDecodes(
        List.of("GET", "GET"),
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
            + "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
        "head 200 OK",
        "body hello trailers 0",
        "head 201 Created",
        "body abc trailers 1");
    assertDecodes(
        List.of("GET"),
        "HTTP/1.0 200 OK\r\n\r\nuntil the end",
        "head 200 OK",
        "body until the end trailers 0");
  }

  @Test
  void bareLfEndsTheStatusLineAndFieldLines() {
    // RFC 9112 §2.2: a recipient may; old scripts and hand-written servers send them.
    assertDecodes(
        List.of("GET"),
        "HTTP/1.1 200 OK\nContent-Length: 2\nX: y\r\n\nhi",
        "head 200 OK",
        "body hi trailers 0");
  }

  @Test
  void headAnd304AndInterimResponsesHaveNoBody() {
    assertDecodes(
        List.of("HEAD", "GET"),
        "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
            + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
        "head 200 OK",
        "body  trailers 0",
        "interim 100",
        "head 304 Not Modified",
        "body  trailers 0");
  }

  @Test
  void afterA101TheDecoderStopsAndLeavesTheNewProtocolsBytes() {
    byte[] bytes =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0002hi"
            .getBytes(StandardCharsets.ISO_8859_1);
    for (int split = 1; split <= bytes.length; split++) {
      var decoder = new Http1ResponseDecoder(HttpLimits.DEFAULTS);
      var transcript = new Transcript();
      ByteBuffer first = ByteBuffer.wrap(bytes, 0, split);
      decoder.decode(first, transcript);
      ByteBuffer rest = ByteBuffer.wrap(bytes, first.position(), bytes.length - first.position());
      decoder.decode(rest, transcript);
      assertThat(decoder.isUpgraded()).isTrue();
      assertThat(transcript.events)
          .containsExactly("head 101 Switching Protocols", "body  trailers 0");
      assertThat(StandardCharsets.ISO_8859_1.decode(rest).toString()).isEqualTo("\u0081\u0002hi");
    }
  }

  @Test
  void aResponseCutShortIsAnError() {
    var decoder = new Http1ResponseDecoder(HttpLimits.DEFAULTS);
    var transcript = new Transcript();
    decoder.decode(
        ByteBuffer.wrap(
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII)),
        transcript);
    assertThatThrownBy(() -> decoder.endOfInput(transcript))
        .isInstanceOf(MessageParseException.class)
        .hasMessageContaining("closed in the middle");
  }

  @Test
  void malformedStatusLinesAreRefused() {
    for (String bad :
        List.of(
            "HTTP/2 200 OK\r\n", "HTTP/1.1 20 OK\r\n", "HTTP/1.1 200OK\r\n", "ICY 200 OK\r\n")) {
      var decoder = new Http1ResponseDecoder(HttpLimits.DEFAULTS);
      assertThatThrownBy(
              () ->
                  decoder.decode(
                      ByteBuffer.wrap(bad.getBytes(StandardCharsets.US_ASCII)), new Transcript()))
          .as(bad)
          .isInstanceOf(MessageParseException.class)
          .satisfies(
              e ->
                  assertThat(((MessageParseException) e).kind())
                      .isEqualTo(MessageParseException.Kind.MALFORMED));
    }
  }

  @Test
  void encoderOutputDecodesBack() {
    byte[] head =
        Http1ResponseEncoder.encodeHead(
            404, Headers.builder().add("Content-Length", "3").add("X-A", "b c").build());
    var decoder = new Http1ResponseDecoder(HttpLimits.DEFAULTS);
    var transcript = new Transcript();
    decoder.decode(ByteBuffer.wrap(head), transcript);
    decoder.decode(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)), transcript);
    assertThat(transcript.events).containsExactly("head 404 Not Found", "body abc trailers 0");
  }

  @Test
  void encoderRefusesResponseSplitting() {
    assertThatThrownBy(
            () ->
                Http1ResponseEncoder.encodeHead(
                    200, Headers.builder().add("X-Evil", "a\r\nSet-Cookie: x").build()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A trace sees a status line alone: read and checked as decode reads it, from an offset. */
  @Test
  void aStatusLineAloneIsCheckedAsDecodeChecksIt() {
    byte[] bytes = "..HTTP/1.0 404 Not Found".getBytes(StandardCharsets.US_ASCII);
    assertThat(Http1ResponseDecoder.parseStatusLine(bytes, 2, bytes.length - 2))
        .isEqualTo(new ResponseHead("HTTP/1.0", 404, "Not Found", Headers.EMPTY));
    byte[] bare = "HTTP/1.1 204".getBytes(StandardCharsets.US_ASCII);
    assertThat(Http1ResponseDecoder.parseStatusLine(bare, 0, bare.length).reason()).isEmpty();
    byte[] bad = "HTTP/1.1 2x4 OK".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> Http1ResponseDecoder.parseStatusLine(bad, 0, bad.length))
        .isInstanceOf(MessageParseException.class)
        .hasMessageContaining("malformed status line");
  }
}
