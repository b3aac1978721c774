package dev.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpUrlTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      value = {
        // url                          | scheme | host        | port | Host header     | target
        "http://example.com             | http   | example.com | 80   | example.com     | /",
        "https://example.com/           | https  | example.com | 443  | example.com     | /",
        "ws://example.com/chat          | ws     | example.com | 80   | example.com     | /chat",
        "wss://example.com/chat         | wss    | example.com | 443  | example.com     | /chat",
        "HTTP://Example.COM:80/a        | http   | Example.COM | 80   | Example.COM     | /a",
        "https://h:80/                  | https  | h           | 80   | h:80            | /",
        "http://h:443/                  | http   | h           | 443  | h:443           | /",
        "wss://h:8443/x?y=1             | wss    | h           | 8443 | h:8443          | /x?y=1",
        "http://[::1]/                  | http   | ::1         | 80   | [::1]           | /",
        "http://[::1]:8080/p            | http   | ::1         | 8080 | [::1]:8080      | /p",
        "ws://[fe80::1%25eth0]:9/       | ws     | fe80::1%25eth0 | 9 | [fe80::1%25eth0]:9 | /",
        "http://127.0.0.1:0/            | http   | 127.0.0.1   | 0    | 127.0.0.1:0     | /",
        "http://h:65535/                | http   | h           | 65535 | h:65535        | /",
        "http://h/a%20b/c%2Fd?q=%41&r=+ | http   | h           | 80   | h               | /a%20b/c%2Fd?q=%41&r=+",
        "http://h?only=query            | http   | h           | 80   | h               | /?only=query",
        "http://h/p?                    | http   | h           | 80   | h               | /p?",
        "http://h/p#fragment            | http   | h           | 80   | h               | /p",
        "http://user:pw@h:81/p          | http   | h           | 81   | h:81            | /p",
      })
  void knowsTheSchemesRules(
      String text, String scheme, String host, int port, String hostHeader, String target) {
    HttpUrl url = HttpUrl.parse(text);

    assertThat(url.scheme()).isEqualTo(scheme);
    assertThat(url.host()).isEqualTo(host);
    assertThat(url.port()).isEqualTo(port);
    assertThat(url.hostHeader()).isEqualTo(hostHeader);
    assertThat(url.target()).isEqualTo(target);
    assertThat(url.isSecure()).isEqualTo(scheme.equals("https") || scheme.equals("wss"));
    assertThat(url.isWebSocket()).isEqualTo(scheme.startsWith("ws"));
    assertThat(HttpUrl.of(URI.create(text))).isEqualTo(url);
  }

  @Test
  void defaultPorts() {
    assertThat(HttpUrl.defaultPort("http")).isEqualTo(80);
    assertThat(HttpUrl.defaultPort("WS")).isEqualTo(80);
    assertThat(HttpUrl.defaultPort("https")).isEqualTo(443);
    assertThat(HttpUrl.defaultPort("wss")).isEqualTo(443);
    assertThat(HttpUrl.defaultPort("ftp")).isEqualTo(-1);
  }

  @Test
  void userInformationIsKeptApartFromHostAndTarget() {
    HttpUrl url = HttpUrl.parse("http://ann:s%40cret@h/p");

    assertThat(url.userInfo()).contains("ann:s%40cret");
    assertThat(url.hostHeader()).isEqualTo("h");
    assertThat(url.target()).isEqualTo("/p");
    assertThat(HttpUrl.parse("http://h/").userInfo()).isEmpty();
  }

  @Test
  void sameOriginIsSchemeHostAndPort() {
    HttpUrl url = HttpUrl.parse("http://Example.com/a");

    assertThat(url.sameOrigin(HttpUrl.parse("http://example.com:80/b?c"))).isTrue();
    assertThat(url.sameOrigin(HttpUrl.parse("https://example.com/a"))).isFalse();
    assertThat(url.sameOrigin(HttpUrl.parse("http://example.com:8080/a"))).isFalse();
    assertThat(url.sameOrigin(HttpUrl.parse("http://example.org/a"))).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " | ",
      value = {
        "http://127.0.0.1:99999/      | port out of range",
        "http://127.0.0.1:4294967376/ | Malformed port number",
        "ws:///path                   | no host",
        "http://h:port/               | Illegal character in port number",
        "http://bad host/             | Illegal character in authority",
        "ftp://h/                     | unsupported scheme ftp (http, https, ws and wss only)",
        "//h/p                        | no scheme",
        "http://[::1/                 | Expected closing bracket for IPv6 address",
      })
  void badInputSaysWhatIsWrongAndWhere(String text, String reason) {
    assertThatThrownBy(() -> HttpUrl.parse(text))
        .isInstanceOf(HttpUrl.MalformedUrlException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(reason + " in " + text)
        .extracting(e -> ((HttpUrl.MalformedUrlException) e).reason())
        .isEqualTo(reason);
  }

  @Test
  void aMessageNeverShowsThePassword() {
    assertThatThrownBy(() -> HttpUrl.parse("http://ann:s3cret@h:99999/"))
        .hasMessage("port out of range in http://ann:***@h:99999/");
    assertThat(HttpUrl.withoutPassword("http://ann:s3cret@bad host/"))
        .isEqualTo("http://ann:***@bad host/");
    assertThat(HttpUrl.withoutPassword("http://ann@h/")).isEqualTo("http://ann@h/");
  }
}
