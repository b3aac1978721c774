package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void quotesWhatJsonNeedsAndLeavesTheRest() {
    assertThat(Json.quote("plain")).isEqualTo("\"plain\"");
    assertThat(Json.quote("a\"b\\c\nd\te\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
    assertThat(Json.quote("κόσμε 😀")).isEqualTo("\"κόσμε 😀\"");
    assertThat(Json.quote("\u2028")).isEqualTo("\"\\u2028\"");
  }
}
