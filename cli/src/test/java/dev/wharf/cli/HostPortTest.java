package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void aBarePortTakesTheDefaultHost() {
    assertThat(HostPort.parse("8000", "0.0.0.0")).isEqualTo(new HostPort("0.0.0.0", 8000));
  }

  @Test
  void hostAndPortSplitAtTheColon() {
    assertThat(HostPort.parse("localhost:8000", "x")).isEqualTo(new HostPort("localhost", 8000));
    assertThat(HostPort.parse("127.0.0.1:0", "x")).isEqualTo(new HostPort("127.0.0.1", 0));
  }

  @Test
  void anEmptyHostBeforeTheColonTakesTheDefault() {
    assertThat(HostPort.parse(":7", "::")).isEqualTo(new HostPort("::", 7));
  }

  @Test
  void ipv6GoesInBrackets() {
    assertThat(HostPort.parse("[::1]:8000", "x")).isEqualTo(new HostPort("::1", 8000));
    assertThat(HostPort.parse("[fe80::1%lo]:65535", "x"))
        .isEqualTo(new HostPort("fe80::1%lo", 65535));
  }

  @Test
  void ipv6WithoutBracketsIsRefusedWithAHint() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HostPort.parse("::1:8000", "x"))
        .withMessage("put an IPv6 address in brackets, as in [::1]:8000, got ::1:8000");
  }

  @Test
  void brokenBracketsAreRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HostPort.parse("[::1:8000", "x"))
        .withMessage("missing ']' in [::1:8000");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HostPort.parse("[::1]8000", "x"))
        .withMessage("expected [IPV6]:PORT, got [::1]8000");
  }

  @Test
  void portsOutsideSixteenBitsAreRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HostPort.port("65536"))
        .withMessage("port must be 0-65535, got 65536");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HostPort.port("99999999999999999999"))
        .withMessage("port must be 0-65535, got 99999999999999999999");
  }

  @Test
  void portsMustBeDigits() {
    for (String bad : new String[] {"", "-1", "+80", "http", "8o", "80 "}) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> HostPort.port(bad))
          .withMessage("port must be a number 0-65535, got '" + bad + "'");
    }
  }

  @Test
  void bracketsAroundAHostAloneAreDropped() {
    assertThat(HostPort.host("[::1]")).isEqualTo("::1");
    assertThat(HostPort.host("::1")).isEqualTo("::1");
    assertThat(HostPort.host("example.com")).isEqualTo("example.com");
  }

  @Test
  void printsAsTyped() {
    assertThat(new HostPort("::1", 80)).hasToString("[::1]:80");
    assertThat(new HostPort("localhost", 80)).hasToString("localhost:80");
  }
}
