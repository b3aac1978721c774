package dev.wharf.http.fields;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokensTest {

  @ParameterizedTest
  @ValueSource(strings = {"GET", "Content-Type", "x-custom_1", "!#$%&'*+-.^_`|~", "0"})
  void tokensAreOneOrMoreTchar(String text) {
    assertThat(Tokens.isToken(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a b",
        "a\tb",
        "a,b",
        "a;b",
        "a=b",
        "\"a\"",
        "a/b",
        "a:b",
        "(a)",
        "<a>",
        "a@b",
        "[a]",
        "{a}",
        "a?b",
        "a\\b",
        "a\u007f",
        "a\u0000",
        "na\u00efve",
        "\u20ac"
      })
  void delimitersControlsAndNonAsciiAreNotTokens(String text) {
    assertThat(Tokens.isToken(text)).isFalse();
  }

  @Test
  void everyByteIsClassifiedAsRfc9110Says() {
    String delimiters = "\"(),/:;<=>?@[\\]{}";
    for (int b = 0; b < 256; b++) {
      boolean visible = b > 0x20 && b < 0x7f;
      assertThat(Tokens.isTchar((byte) b))
          .as("tchar %#x", b)
          .isEqualTo(visible && delimiters.indexOf(b) < 0);
      assertThat(Tokens.isTchar((char) b)).isEqualTo(Tokens.isTchar((byte) b));
      assertThat(Tokens.isFieldValueByte((byte) b))
          .as("field value byte %#x", b)
          .isEqualTo(b == '\t' || (b >= 0x20 && b != 0x7f));
    }
  }

  @Test
  void aRangeOfTextCanBeChecked() {
    assertThat(Tokens.isToken("a, b", 0, 1)).isTrue();
    assertThat(Tokens.isToken("a, b", 0, 2)).isFalse();
    assertThat(Tokens.isToken("a, b", 2, 2)).isFalse();
  }
}
