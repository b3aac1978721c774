package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.RequestHead;
import dev.wharf.testkit.Feed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Http1RequestDecoderTest {

  /** What a decoder reported, as text: one entry per head, body and end. */
  static final class Transcript implements Http1RequestDecoder.Sink {
    final List<String> events = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();

    @Override
    public void head(RequestHead head) {
      events.add(
          "head "
              + head.method()
              + " "
              + head.target()
              + " "
              + head.version()
              + " "
              + head.headers());
    }

    @Override
    public void body(ByteBuffer chunk) {
      body.append(StandardCharsets.ISO_8859_1.decode(chunk));
    }

    @Override
    public void end(Headers trailers) {
      events.add("body " + body);
      events.add("end " + trailers);
      body.setLength(0);
    }
  }

  /** Keeps the heads the decoder reports, to compare the Strings in them. */
  static final class HeadsOnly implements Http1RequestDecoder.Sink {
    final List<RequestHead> heads = new ArrayList<>();

    @Override
    public void head(RequestHead head) {
      heads.add(head);
    }

    @Override
    public void body(ByteBuffer chunk) {}

    @Override
    public void end(Headers trailers) {}
  }

  /** Feeds the input whole, one byte at a time, and in 30 seeded random splits. */
  static void underEveryFeed(String input, HttpLimits limits, Consumer<Result> check) {
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    for (List<ByteBuffer> pieces : Feed.ways(bytes, 30, 2026, 64)) {
      check.accept(run(pieces, limits));
    }
  }

  record Result(List<String> events, MessageParseException failure) {}

  private static Result run(List<ByteBuffer> pieces, HttpLimits limits) {
    var decoder = new Http1RequestDecoder(limits);
    var transcript = new Transcript();
    try {
      for (ByteBuffer piece : pieces) {
        decoder.decode(piece, transcript);
      }
    } catch (MessageParseException e) {
      return new Result(transcript.events, e);
    }
    return new Result(transcript.events, null);
  }

  static void assertDecodes(String input, String... expectedEvents) {
    underEveryFeed(
        input,
        HttpLimits.DEFAULTS,
        result -> {
          assertThat(result.failure()).as("failure").isNull();
          assertThat(result.events()).containsExactly(expectedEvents);
        });
  }

  static void assertRejected(String input, int status) {
    assertRejected(input, HttpLimits.DEFAULTS, status);
  }

  static void assertRejected(String input, HttpLimits limits, int status) {
    underEveryFeed(
        input,
        limits,
        result -> {
          assertThat(result.failure()).as("expected %d for %s", status, input).isNotNull();
          assertThat(result.failure().kind()).isEqualTo(kindAnsweredWith(status));
        });
  }

  /**
   * The refusal each status of the server's answer stands for: Http1ServerProtocol.status reversed
   * (Http1ServerProtocolTest checks that mapping), so these tests keep naming the wire answer.
   */
  private static MessageParseException.Kind kindAnsweredWith(int status) {
    return switch (status) {
      case 400 -> MessageParseException.Kind.MALFORMED;
      case 413 -> MessageParseException.Kind.BODY_TOO_LARGE;
      case 414 -> MessageParseException.Kind.REQUEST_LINE_TOO_LONG;
      case 431 -> MessageParseException.Kind.HEADERS_TOO_LARGE;
      case 501 -> MessageParseException.Kind.UNSUPPORTED_TRANSFER_CODING;
      case 505 -> MessageParseException.Kind.UNSUPPORTED_VERSION;
      default -> throw new IllegalArgumentException("the codec never stands for " + status);
    };
  }

  @Test
  void simpleGet() {
    assertDecodes(
        "GET /a.txt HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n",
        "head GET /a.txt HTTP/1.1 [Field[name=Host, value=example], Field[name=Accept, value=*/*]]",
        "body ",
        "end []");
  }

  @Test
  void repeatedTextIsSharedAndChangedTextIsNot() {
    // A keep-alive client repeats its target and most fields; the decoder reuses the previous
    // request's Strings where the bytes match, and must never reuse one where they differ.
    var decoder = new Http1RequestDecoder(HttpLimits.DEFAULTS);
    var sink = new HeadsOnly();
    List<RequestHead> heads = sink.heads;
    String input =
        "GET /poll HTTP/1.1\r\nHost: a.test\r\nX-Seq: 1\r\nx-odd: v\r\n\r\n"
            + "GET /poll HTTP/1.1\r\nHost: a.test\r\nX-Seq: 2\r\nx-odd: v\r\n\r\n"
            + "get /poll2 HTTP/1.1\r\nX-Seq: 2\r\nHost: a.tesT\r\n\r\n";
    decoder.decode(ByteBuffer.wrap(input.getBytes(StandardCharsets.US_ASCII)), sink);

    assertThat(heads).hasSize(3);
    RequestHead first = heads.get(0);
    RequestHead second = heads.get(1);
    RequestHead third = heads.get(2);
    assertThat(second.target()).isSameAs(first.target());
    assertThat(second.headers().value(0)).isSameAs(first.headers().value(0));
    assertThat(second.headers().name(2)).isSameAs(first.headers().name(2));
    assertThat(second.headers().value(1)).isEqualTo("2");
    assertThat(third.method()).isEqualTo("get");
    assertThat(third.target()).isEqualTo("/poll2");
    assertThat(third.headers().fields())
        .containsExactly(new Headers.Field("X-Seq", "2"), new Headers.Field("Host", "a.tesT"));
    // Standard methods, versions and common names are shared by every connection.
    assertThat(first.method()).isSameAs("GET");
    assertThat(first.version()).isSameAs("HTTP/1.1");
    assertThat(first.headers().name(0)).isSameAs("Host");
  }

  @Test
  void everyRequestDecodesAsItWouldAloneWhateverCameBefore() {
    // Lines equal to the previous request's reuse its parse; one byte of difference (case,
    // whitespace, a longer value, another position) must give the parse of the new bytes.
    var random = new Random(16);
    String[] requestLines = {
      "GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /a HTTP/1.0", "get /a HTTP/1.1", "POST /a HTTP/1.1"
    };
    String[] hosts = {"Host: a", "Host: b", "Host:a", "Host: a ", "host: a", "Host: ab"};
    String[] others = {
      "Accept: */*",
      "Accept: text/plain",
      "X-Seq: 1",
      "X-Seq: 11",
      "X-Seq: 1\t",
      "Content-Length: 0"
    };
    for (int round = 0; round < 150; round++) {
      var input = new StringBuilder();
      var expected = new ArrayList<String>();
      for (int i = 0; i < 6; i++) {
        var fields = new ArrayList<String>();
        fields.add(hosts[random.nextInt(hosts.length)]);
        for (int n = random.nextInt(3); n > 0; n--) {
          String other = others[random.nextInt(others.length)];
          if (other.startsWith("Content-Length") && fields.contains(other)) {
            continue;
          }
          fields.add(random.nextInt(fields.size() + 1), other);
        }
        var request = new StringBuilder(requestLines[random.nextInt(requestLines.length)] + "\r\n");
        fields.forEach(field -> request.append(field).append("\r\n"));
        request.append("\r\n");
        var alone =
            run(
                List.of(ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.ISO_8859_1))),
                HttpLimits.DEFAULTS);
        assertThat(alone.failure()).as("%s", request).isNull();
        expected.addAll(alone.events());
        input.append(request);
      }
      underEveryFeed(
          input.toString(),
          HttpLimits.DEFAULTS,
          result -> {
            assertThat(result.failure()).as("failure").isNull();
            assertThat(result.events()).as("%s", input).containsExactlyElementsOf(expected);
          });
    }
  }

  @Test
  void aRepeatedRequestSharesItsParseAndAChangedValueIsParsedAgain() {
    var decoder = new Http1RequestDecoder(HttpLimits.DEFAULTS);
    var sink = new HeadsOnly();
    String same = "GET /same HTTP/1.1\r\nHost: h\r\nX-Value: 12\r\n\r\n";
    String changed = "GET /same HTTP/1.1\r\nHost: h\r\nX-Value: 13\r\n\r\n";
    for (String request : List.of(same, same, changed, same)) {
      decoder.decode(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), sink);
    }
    List<RequestHead> heads = sink.heads;
    assertThat(heads.get(1).target()).isSameAs(heads.get(0).target());
    assertThat(heads.get(1).headers().value(1)).isSameAs(heads.get(0).headers().value(1));
    assertThat(heads.get(1))
        .as("the very head again: its line and fields are the same objects")
        .isSameAs(heads.get(0));
    assertThat(heads.get(2)).isNotSameAs(heads.get(0));
    assertThat(heads.get(2).headers().value(1)).isEqualTo("13");
    assertThat(heads.get(2).headers().value(0)).isSameAs(heads.get(0).headers().value(0));
    assertThat(heads.get(3).headers().value(1)).isEqualTo("12");
    assertThat(heads.stream().map(head -> head.headers().size())).containsOnly(2);
  }

  @Test
  void aRequestWithABodyGetsAHeadOfItsOwnEvenWhenItRepeats() {
    // The server tells a request waiting for 100 Continue from the next by its head's identity.
    var decoder = new Http1RequestDecoder(HttpLimits.DEFAULTS);
    var sink = new HeadsOnly();
    String post = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi";
    decoder.decode(ByteBuffer.wrap((post + post).getBytes(StandardCharsets.US_ASCII)), sink);
    assertThat(sink.heads).hasSize(2);
    assertThat(sink.heads.get(1)).isNotSameAs(sink.heads.get(0));
    assertThat(sink.heads.get(1).headers()).isSameAs(sink.heads.get(0).headers());
  }

  @Test
  void aSectionThatIsTheStartOfTheLastOneHoldsOnlyItsOwnFields() {
    var decoder = new Http1RequestDecoder(HttpLimits.DEFAULTS);
    var sink = new HeadsOnly();
    String longer = "GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\nY: 2\r\n\r\n";
    String shorter = "GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\n\r\n";
    for (String request : List.of(longer, shorter, shorter, longer)) {
      decoder.decode(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), sink);
    }
    List<RequestHead> heads = sink.heads;
    assertThat(heads.get(1).headers().fields())
        .containsExactly(new Headers.Field("Host", "h"), new Headers.Field("X", "1"));
    assertThat(heads.get(2)).isSameAs(heads.get(1));
    assertThat(heads.get(3).headers().fields())
        .containsExactly(
            new Headers.Field("Host", "h"),
            new Headers.Field("X", "1"),
            new Headers.Field("Y", "2"));
  }

  @Test
  void aLineEqualToLastTimesButAtAnotherPositionOrCountIsParsedAgain() {
    assertDecodes(
        "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n"
            + "GET / HTTP/1.1\r\nX: 1\r\nHost: a\r\n\r\n"
            + "GET / HTTP/1.1\r\nX: 1\r\nHost: a\r\nY: 2\r\n\r\n"
            + "GET / HTTP/1.1\r\nX: 1\r\nHost: a\r\n\r\n",
        "head GET / HTTP/1.1 [Field[name=Host, value=a], Field[name=X, value=1]]",
        "body ",
        "end []",
        "head GET / HTTP/1.1 [Field[name=X, value=1], Field[name=Host, value=a]]",
        "body ",
        "end []",
        "head GET / HTTP/1.1 [Field[name=X, value=1], Field[name=Host, value=a], Field[name=Y, value=2]]",
        "body ",
        "end []",
        "head GET / HTTP/1.1 [Field[name=X, value=1], Field[name=Host, value=a]]",
        "body ",
        "end []");
  }

  @Test
  void aMalformedRequestAfterAValidOneIsRefusedAsIfAlone() {
    String valid = "GET / HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n\r\n";
    assertRejected(valid + "GET / HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n  b\r\n\r\n", 400);
    assertRejected(valid + "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400);
    assertRejected(valid + "GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", 400);
    assertRejected(valid + "GET / HTTP/1.1\r\nX-Long: a\r\n\r\n", 400);
    assertRejected(valid + "GET / HTTP/1.1\r\nHost: x\r\nX-Long: a\u0000\r\n\r\n", 400);
    assertRejected(valid + "GET /  HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    assertRejected(valid + "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
    String withLength = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb";
    assertRejected(
        withLength
            + "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        400);
    assertRejected(
        withLength + "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        400);
  }

  @Test
  void hostAndFramingFieldsCountWhateverTheirCaseAndWhetherReused() {
    assertRejected("GET / HTTP/1.1\r\nhost: x\r\nHOST: x\r\n\r\n", 400);
    assertDecodes(
        "POST / HTTP/1.1\r\nhOsT: x\r\ncontent-LENGTH: 2\r\n\r\nhi"
            + "POST / HTTP/1.1\r\nhOsT: x\r\ncontent-LENGTH: 2\r\n\r\nho"
            + "POST / HTTP/1.1\r\nhOsT: x\r\ntransfer-encoding: CHUNKED\r\n\r\n1\r\nc\r\n0\r\n\r\n"
            + "GET / HTTP/1.1\r\nhOsT: x\r\n\r\n",
        "head POST / HTTP/1.1 [Field[name=hOsT, value=x], Field[name=content-LENGTH, value=2]]",
        "body hi",
        "end []",
        "head POST / HTTP/1.1 [Field[name=hOsT, value=x], Field[name=content-LENGTH, value=2]]",
        "body ho",
        "end []",
        "head POST / HTTP/1.1 [Field[name=hOsT, value=x], Field[name=transfer-encoding, value=CHUNKED]]",
        "body c",
        "end []",
        "head GET / HTTP/1.1 [Field[name=hOsT, value=x]]",
        "body ",
        "end []");
    // A trailer section in between counts for nothing in the next request's header section.
    assertRejected(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: t\r\n\r\n"
            + "GET / HTTP/1.1\r\n\r\n",
        400);
  }

  @Test
  void pipelinedRequestsComeOutInOrder() {
    assertDecodes(
        "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /3 HTTP/1.0\r\n\r\n",
        "head GET /1 HTTP/1.1 [Field[name=Host, value=x]]",
        "body ",
        "end []",
        "head POST /2 HTTP/1.1 [Field[name=Host, value=x], Field[name=Content-Length, value=5]]",
        "body hello",
        "end []",
        "head GET /3 HTTP/1.0 []",
        "body ",
        "end []");
  }

  @Test
  void chunkedBodyWithExtensionsAndTrailers() {
    assertDecodes(
        "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nChecksum: abc\r\n\r\n",
        "head POST /up HTTP/1.1 [Field[name=Host, value=x], Field[name=Transfer-Encoding, value=chunked]]",
        "body hello, world",
        "end [Field[name=Checksum, value=abc]]");
  }

  @Test
  void fieldValuesLoseSurroundingWhitespaceOnly() {
    assertDecodes(
        "GET / HTTP/1.1\r\nHost:   x  \r\nX-Thing:\ta  b\t\r\n\r\n",
        "head GET / HTTP/1.1 [Field[name=Host, value=x], Field[name=X-Thing, value=a  b]]",
        "body ",
        "end []");
  }

  @Test
  void oneEmptyLineBeforeTheRequestIsIgnored() {
    assertDecodes(
        "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "head GET / HTTP/1.1 [Field[name=Host, value=x]]",
        "body ",
        "end []");
  }

  @Test
  void identicalRepeatedContentLengthsCountAsOne() {
    assertDecodes(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc",
        "head POST / HTTP/1.1 [Field[name=Host, value=x], Field[name=Content-Length, value=3, 3], Field[name=Content-Length, value=3]]",
        "body abc",
        "end []");
  }

  // ---- one test per rule, each with its exact status ----

  @Test
  void contentLengthWithTransferEncodingIs400() {
    assertRejected(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        400);
  }

  @Test
  void differingContentLengthsAre400() {
    assertRejected(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400);
    assertRejected("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n", 400);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"-1", "+5", "0x10", "5 5", "''", "1e3", "99999999999999999999"})
  void malformedContentLengthIs400(String value) {
    assertRejected("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + value + "\r\n\r\n", 400);
  }

  @Test
  void transferEncodingOtherThanAFinalChunkedIs400() {
    assertRejected("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400);
    assertRejected("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400);
    assertRejected(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        400);
    assertRejected("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400);
  }

  @Test
  void otherCodingsBeforeChunkedAre501() {
    assertRejected("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
  }

  @Test
  void transferEncodingInHttp10Is400() {
    assertRejected("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
  }

  @Test
  void obsFoldIs400() {
    assertRejected("GET / HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n  b\r\n\r\n", 400);
  }

  @Test
  void whitespaceBeforeTheColonIs400() {
    assertRejected("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400);
    assertRejected("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", 400);
  }

  @Test
  void aLargeHeaderSectionIsNotKeptForTheNextRequest() {
    // Kept, a 57 KiB header would stay on every idle connection until its next request.
    var decoder = new Http1RequestDecoder(HttpLimits.DEFAULTS);
    var sink = new HeadsOnly();
    List<RequestHead> heads = sink.heads;
    String big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(57 * 1024) + "\r\n\r\n";
    String small = "GET / HTTP/1.1\r\nHost: x\r\nX-Small: s\r\n\r\n";
    for (String request : List.of(big, big, small, small)) {
      decoder.decode(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)), sink);
    }
    assertThat(heads.get(1).headers().value(1))
        .as("the large value was decoded again, not shared")
        .isNotSameAs(heads.get(0).headers().value(1))
        .isEqualTo(heads.get(0).headers().value(1));
    assertThat(heads.get(3).headers().value(1))
        .as("small sections are still shared")
        .isSameAs(heads.get(2).headers().value(1));
  }

  @Test
  void bareLfEndsTheRequestLineAndFieldLines() {
    // What printf 'GET / HTTP/1.0\n\n' | nc sends, and a person typing into nc.
    assertDecodes("GET / HTTP/1.0\n\n", "head GET / HTTP/1.0 []", "body ", "end []");
    assertDecodes(
        "GET /a HTTP/1.1\nHost: x\nAccept: */*\r\n\n",
        "head GET /a HTTP/1.1 [Field[name=Host, value=x], Field[name=Accept, value=*/*]]",
        "body ",
        "end []");
    assertDecodes(
        "\nPOST / HTTP/1.1\nHost: x\nContent-Length: 3\n\nabc",
        "head POST / HTTP/1.1 [Field[name=Host, value=x], Field[name=Content-Length, value=3]]",
        "body abc",
        "end []");
  }

  @Test
  void bareLfInChunkedFramingIs400() {
    String head = "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n";
    assertRejected(head + "3\nabc\r\n0\r\n\r\n", 400);
    assertRejected(head + "3\r\nabc\n0\r\n\r\n", 400);
    assertRejected(head + "3\r\nabc\r\n0\n\r\n", 400);
    assertRejected(head + "3\r\nabc\r\n0\r\nX-T: 1\n\r\n", 400);
  }

  @Test
  void bareCrIs400() {
    assertRejected("GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400);
    assertRejected("GET / HTTP/1.1\rHost: x\r\n\r\n", 400);
    assertRejected("GET / HTTP/1.1\nHost: x\r\r\n\n", 400);
  }

  @Test
  void invalidCharactersAre400() {
    assertRejected("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    assertRejected("GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n", 400);
    assertRejected("GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n", 400);
    assertRejected("GET / HTTP/1.1\r\nHost: x\r\nBad[Name]: a\r\n\r\n", 400);
    assertRejected("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  }

  @Test
  void missingHostInHttp11Is400() {
    assertRejected("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400);
  }

  @Test
  void duplicatedHostIs400() {
    assertRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
  }

  @Test
  void unknownVersionIs505AndMalformedVersionIs400() {
    assertRejected("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
    assertRejected("GET / HTTP/1.1x\r\nHost: x\r\n\r\n", 400);
    assertRejected("GET / http/1.1\r\nHost: x\r\n\r\n", 400);
  }

  @Test
  void requestLineOverLimitIs414() {
    assertRejected("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
  }

  @Test
  void headerSectionOverLimitIs431() {
    assertRejected("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(70_000) + "\r\n\r\n", 431);
  }

  @Test
  void linesUpToTheirLimitsPassAndOneByteMoreDoesNot() {
    var limits = new HttpLimits(32, 300, 100, 1024);
    String line = "GET /" + "a".repeat(18) + " HTTP/1.1"; // 32 bytes
    // Earlier lines count with their CRLF ("Host: x" is 9); the last may fill what is left.
    String field = "X-Fill: " + "f".repeat(300 - 9 - 8);
    String exact = line + "\r\nHost: x\r\n" + field + "\r\n\r\n";
    underEveryFeed(
        exact,
        limits,
        result -> {
          assertThat(result.failure()).as("failure").isNull();
          assertThat(result.events()).hasSize(3);
        });
    assertRejected("GET /" + "a".repeat(19) + " HTTP/1.1\r\nHost: x\r\n\r\n", limits, 414);
    assertRejected(line + "\r\nHost: x\r\n" + field + "f\r\n\r\n", limits, 431);
    // Long lines cross many copied runs of input; a bare CR is still found anywhere, and a bare
    // LF ends the line wherever it is, even one byte past the limit.
    assertRejected(line + "\r\nHost: x\r\n" + field.substring(0, 200) + "\rx\r\n\r\n", limits, 400);
    underEveryFeed(
        line + "\nHost: x\n" + field + "\n\n",
        limits,
        result -> {
          assertThat(result.failure()).as("failure").isNull();
          assertThat(result.events()).hasSize(3);
        });
  }

  @Test
  void tooManyFieldsIs431() {
    var request = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 100; i++) {
      request.append("X-").append(i).append(": v\r\n");
    }
    assertRejected(request.append("\r\n").toString(), 431);
  }

  @Test
  void declaredBodyOverLimitIs413() {
    assertRejected(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n",
        HttpLimits.DEFAULTS.withMaxBodyBytes(10),
        413);
  }

  @Test
  void chunkedBodyOverLimitIs413() {
    assertRejected(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
        HttpLimits.DEFAULTS.withMaxBodyBytes(10),
        413);
  }

  @Test
  void malformedChunksAre400() {
    String head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertRejected(head + "zz\r\n", 400);
    assertRejected(head + "5\r\nhelloX\r\n", 400);
    assertRejected(head + "5 junk\r\nhello\r\n", 400);
    assertRejected(head + ";ext\r\n", 400);
  }

  @Test
  void afterAFailureAllInputIsRefused() {
    var decoder = new Http1RequestDecoder(HttpLimits.DEFAULTS);
    var transcript = new Transcript();
    assertThatThrownBy(() -> decoder.decode(ascii("BAD\r\n"), transcript))
        .isInstanceOf(MessageParseException.class);
    assertThatThrownBy(() -> decoder.decode(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), transcript))
        .isInstanceOf(MessageParseException.class);
    assertThat(transcript.events).isEmpty();
  }

  @Test
  void decoderIsIdleOnlyBetweenMessages() {
    var decoder = new Http1RequestDecoder(HttpLimits.DEFAULTS);
    var transcript = new Transcript();
    assertThat(decoder.isIdle()).isTrue();
    decoder.decode(ascii("GET / HTTP/1.1\r\nHo"), transcript);
    assertThat(decoder.isIdle()).isFalse();
    decoder.decode(ascii("st: x\r\n\r\n"), transcript);
    assertThat(decoder.isIdle()).isTrue();
  }

  @Test
  void keepAliveFollowsVersionAndConnectionHeader() {
    var h11 = new RequestHead("GET", "/", "HTTP/1.1", Headers.builder().add("Host", "x").build());
    var h11Close =
        new RequestHead(
            "GET", "/", "HTTP/1.1", Headers.builder().add("Connection", "Close").build());
    var h10 = new RequestHead("GET", "/", "HTTP/1.0", Headers.EMPTY);
    var h10KeepAlive =
        new RequestHead(
            "GET", "/", "HTTP/1.0", Headers.builder().add("Connection", "keep-alive").build());
    assertThat(h11.keepAlive()).isTrue();
    assertThat(h11Close.keepAlive()).isFalse();
    assertThat(h10.keepAlive()).isFalse();
    assertThat(h10KeepAlive.keepAlive()).isTrue();
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** A trace sees a request line alone: read and checked as decode reads it, from an offset. */
  @Test
  void aRequestLineAloneIsCheckedAsDecodeChecksIt() {
    byte[] bytes = "xxGET /a?b=1 HTTP/1.1yy".getBytes(StandardCharsets.US_ASCII);
    assertThat(Http1RequestDecoder.parseRequestLine(bytes, 2, bytes.length - 4))
        .isEqualTo(new RequestHead("GET", "/a?b=1", "HTTP/1.1", Headers.EMPTY));
    for (String line :
        List.of("GET /a b HTTP/1.1", "GET  HTTP/1.1", "G(T / HTTP/1.1", "GET / HTTP/1.x", " / x")) {
      byte[] bad = line.getBytes(StandardCharsets.US_ASCII);
      assertThatThrownBy(() -> Http1RequestDecoder.parseRequestLine(bad, 0, bad.length))
          .as(line)
          .isInstanceOf(MessageParseException.class);
    }
  }
}
