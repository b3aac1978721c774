package dev.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeadersTest {
  private static final Headers HEADERS =
      Headers.builder()
          .add("Host", "example.test")
          .add("Connection", "keep-alive, Upgrade")
          .add("accept", "text/html")
          .add("Accept", "*/*")
          .add("Via", " 1.1 a ,\t1.1 b,")
          .build();

  @Test
  void looksUpNamesWithoutRegardToCase() {
    assertThat(HEADERS.first("HOST")).contains("example.test");
    assertThat(HEADERS.first("Cookie")).isEmpty();
    assertThat(HEADERS.contains("connection")).isTrue();
    assertThat(HEADERS.contains("Upgrade")).isFalse();
    assertThat(HEADERS.count("ACCEPT")).isEqualTo(2);
    assertThat(HEADERS.count("Cookie")).isZero();
    assertThat(HEADERS.all("Accept")).containsExactly("text/html", "*/*");
  }

  @Test
  void findsTokensInCommaSeparatedValues() {
    assertThat(HEADERS.hasToken("Connection", "upgrade")).isTrue();
    assertThat(HEADERS.hasToken("Connection", "KEEP-ALIVE")).isTrue();
    assertThat(HEADERS.hasToken("Connection", "keep")).isFalse();
    assertThat(HEADERS.hasToken("Connection", "close")).isFalse();
    // Spaces and tabs around an element do not count; an empty element matches nothing.
    assertThat(HEADERS.hasToken("Via", "1.1 a")).isTrue();
    assertThat(HEADERS.hasToken("Via", "1.1 b")).isTrue();
    assertThat(HEADERS.hasToken("Via", "1.1")).isFalse();
    assertThat(HEADERS.hasToken("Accept", "*/*")).isTrue();
    assertThat(HEADERS.hasToken("Cookie", "x")).isFalse();
  }

  @Test
  void keepsFieldsInOrderWithTheirOwnSpelling() {
    assertThat(HEADERS.size()).isEqualTo(5);
    assertThat(HEADERS.name(2)).isEqualTo("accept");
    assertThat(HEADERS.value(2)).isEqualTo("text/html");
    assertThat(HEADERS.fields())
        .extracting(Headers.Field::name)
        .containsExactly("Host", "Connection", "accept", "Accept", "Via");
    assertThat(HEADERS.fields().get(0)).isEqualTo(new Headers.Field("Host", "example.test"));
    assertThat(HEADERS.toString()).startsWith("[Field[name=Host, value=example.test], ");
  }

  @Test
  void aBuiltSetDoesNotChangeWithItsBuilder() {
    var builder = Headers.builder();
    for (int i = 0; i < 10; i++) {
      builder.add("X-" + i, Integer.toString(i)); // Past the builder's first room.
    }
    Headers before = builder.build();
    builder.set("x-3", "three").remove("X-5");
    Headers after = builder.build();
    builder.clear().add("Only", "one");
    Headers cleared = builder.build();

    assertThat(before.size()).isEqualTo(10);
    assertThat(before.first("X-3")).contains("3");
    assertThat(after.size()).isEqualTo(9);
    assertThat(after.first("X-3")).contains("three");
    assertThat(after.name(8)).isEqualTo("x-3");
    assertThat(after.contains("X-5")).isFalse();
    assertThat(cleared.fields()).containsExactly(new Headers.Field("Only", "one"));
    assertThat(Headers.builder().build()).isSameAs(Headers.EMPTY);
    assertThat(builder.clear().contains("Only")).isFalse();
  }

  @Test
  void removeTakesEveryFieldOfTheNameWhereverItIsAndKeepsTheOrderOfTheRest() {
    var builder =
        Headers.builder().add("A", "1").add("x", "2").add("B", "3").add("X", "4").add("C", "5");
    assertThat(builder.remove("absent").build().fields())
        .extracting(Headers.Field::value)
        .containsExactly("1", "2", "3", "4", "5");
    assertThat(builder.remove("X").build().fields())
        .containsExactly(
            new Headers.Field("A", "1"), new Headers.Field("B", "3"), new Headers.Field("C", "5"));
    assertThat(builder.remove("a").remove("C").build().fields())
        .containsExactly(new Headers.Field("B", "3"));
    assertThat(builder.remove("b").size()).isZero();
  }
}
