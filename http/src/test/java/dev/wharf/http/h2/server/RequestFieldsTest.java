package dev.wharf.http.h2.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 9113 §8.2 and §8.3 on a request's fields, as HPACK hands them over. */
class RequestFieldsTest {

  private static RequestFields request(String... namesAndValues) {
    var fields = new RequestFields(false);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      fields.field(namesAndValues[i], namesAndValues[i + 1]);
    }
    return fields;
  }

  @Test
  void aValidRequestBecomesAnHttp2HeadWithHostFromAuthorityAndOneCookie() {
    var fields =
        request(
            ":method",
            "GET",
            ":scheme",
            "https",
            ":path",
            "/a?b=1",
            ":authority",
            "example.com",
            "cookie",
            "a=1",
            "accept",
            "*/*",
            "cookie",
            "b=2");
    assertThat(fields.malformed()).isNull();
    var head = fields.head();
    assertThat(head.method()).isEqualTo("GET");
    assertThat(head.target()).isEqualTo("/a?b=1");
    assertThat(head.version()).isEqualTo("HTTP/2.0");
    assertThat(head.headers().first("Host")).contains("example.com");
    assertThat(head.headers().all("cookie")).containsExactly("a=1; b=2");
  }

  @Test
  void aHostFieldIsKeptOverAuthority() {
    var head =
        request(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "a", "host", "b")
            .head();
    assertThat(head.headers().all("host")).containsExactly("b");
  }

  @Test
  void malformedBlocksNameTheirFault() {
    assertThat(request(":method", "GET", ":path", "/").malformed()).isEqualTo("no :scheme");
    assertThat(
            request(":method", "GET", ":scheme", "http", ":path", "/", "Accept", "x").malformed())
        .contains("not a lowercase token");
    assertThat(
            request(":method", "GET", ":scheme", "http", ":path", "/", "x", " padded").malformed())
        .contains("whitespace");
    assertThat(request(":method", "GET", ":scheme", "http", ":path", "/", "x", "a\nb").malformed())
        .contains("NUL, CR or LF");
    assertThat(request(":method", "CONNECT", ":authority", "h:443").malformed()).isNull();
    assertThat(request(":method", "CONNECT", ":authority", "h:443", ":path", "/").malformed())
        .contains("CONNECT");
    assertThat(
            request(":method", "GET", ":scheme", "http", ":path", "/", "upgrade", "h2c")
                .malformed())
        .contains("connection-specific");
  }

  @Test
  void trailersMayNotCarryPseudoFields() {
    var trailers = new RequestFields(true);
    trailers.field("x-checksum", "abc");
    assertThat(trailers.malformed()).isNull();
    assertThat(trailers.trailerFields().first("x-checksum")).contains("abc");
    trailers.field(":path", "/");
    assertThat(trailers.malformed()).contains("in trailers");
  }
}
