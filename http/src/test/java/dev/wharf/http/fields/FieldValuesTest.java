package dev.wharf.http.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.http.fields.FieldValues.Element;
import dev.wharf.http.fields.FieldValues.Parameter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldValuesTest {

  // ---- lists (RFC 9110 §5.6.1)

  @Test
  void listsAreSplitAtCommasWithTheWhitespaceAroundElementsRemoved() {
    assertThat(FieldValues.list("gzip, deflate,br ,\tzstd"))
        .containsExactly("gzip", "deflate", "br", "zstd");
    assertThat(FieldValues.list("one")).containsExactly("one");
    assertThat(FieldValues.list(" 1.1 a ,\t1.1 b")).containsExactly("1.1 a", "1.1 b");
  }

  @Test
  void emptyListElementsAreSkipped() {
    // RFC 9110 §5.6.1.2: "a recipient MUST parse and ignore a reasonable number of empty elements".
    assertThat(FieldValues.list("foo,bar")).containsExactly("foo", "bar");
    assertThat(FieldValues.list("foo ,bar,")).containsExactly("foo", "bar");
    assertThat(FieldValues.list("foo , ,bar,charlie")).containsExactly("foo", "bar", "charlie");
    assertThat(FieldValues.list(",")).isEmpty();
    assertThat(FieldValues.list(",   ,")).isEmpty();
    assertThat(FieldValues.list("")).isEmpty();
  }

  @Test
  void commasInsideQuotedStringsSeparateNothing() {
    assertThat(FieldValues.list("W/\"a,b\", \"c\"")).containsExactly("W/\"a,b\"", "\"c\"");
    assertThat(FieldValues.list("a;p=\"x, y\", b")).containsExactly("a;p=\"x, y\"", "b");
  }

  @Test
  void anEscapedQuoteDoesNotEndAQuotedString() {
    assertThat(FieldValues.list("\"a\\\",b\", c")).containsExactly("\"a\\\",b\"", "c");
    assertThat(FieldValues.list("\"a\\\\\", c"))
        .as("an escaped backslash, then the end quote")
        .containsExactly("\"a\\\\\"", "c");
  }

  @Test
  void anUnterminatedQuoteRunsToTheEnd() {
    assertThat(FieldValues.list("a, \"b, c")).containsExactly("a", "\"b, c");
  }

  @Test
  void severalFieldLinesMakeOneList() {
    assertThat(FieldValues.list(List.of("a, b", "", "c"))).containsExactly("a", "b", "c");
  }

  @Test
  void framingFieldsKeepEmptyElementsSoTheyCanBeRefused() {
    assertThat(FieldValues.listKeepingEmpty("5, 5")).containsExactly("5", "5");
    assertThat(FieldValues.listKeepingEmpty("5,")).containsExactly("5", "");
    assertThat(FieldValues.listKeepingEmpty(", chunked")).containsExactly("", "chunked");
    assertThat(FieldValues.listKeepingEmpty("")).containsExactly("");
  }

  @Test
  void containsFindsAnElementIgnoringCase() {
    assertThat(FieldValues.contains("keep-alive, Upgrade", "upgrade")).isTrue();
    assertThat(FieldValues.contains("keep-alive, Upgrade", "KEEP-ALIVE")).isTrue();
    assertThat(FieldValues.contains("keep-alive, Upgrade", "keep")).isFalse();
    assertThat(FieldValues.contains(" close ", "close")).isTrue();
    assertThat(FieldValues.contains("\"a, close\"", "close")).as("inside quotes").isFalse();
    assertThat(FieldValues.contains("", "close")).isFalse();
    assertThat(FieldValues.contains(",,", "close")).isFalse();
  }

  // ---- elements with parameters (§5.6.6), strict

  @Test
  void elementsCarryTheirParametersInOrder() {
    assertThat(FieldValues.elements("br;q=0.8, gzip ; q=1 ;level=9, identity"))
        .containsExactly(
            new Element("br", List.of(new Parameter("q", Optional.of("0.8")))),
            new Element(
                "gzip",
                List.of(
                    new Parameter("q", Optional.of("1")),
                    new Parameter("level", Optional.of("9")))),
            new Element("identity", List.of()));
  }

  @Test
  void quotedValuesAreUnquotedWithTheirEscapes() {
    Element element =
        FieldValues.elements("x; a=\"one, two; three\"; b=\"say \\\"hi\\\"\"; c=\"back\\\\slash\"")
            .getFirst();
    assertThat(element.parameter("a")).contains("one, two; three");
    assertThat(element.parameter("b")).contains("say \"hi\"");
    assertThat(element.parameter("c")).as("an escaped backslash stays").contains("back\\slash");
    assertThat(FieldValues.elements("x; e=\"\"").getFirst().parameter("e")).contains("");
  }

  @Test
  void parameterNamesAreComparedWithoutRegardToCase() {
    Element element = FieldValues.elements("text/html; Charset=utf-8").getFirst();
    assertThat(element.parameter("charset")).contains("utf-8");
    assertThat(element.parameter("missing")).isEmpty();
  }

  @Test
  void aParameterMayComeWithoutAValue() {
    // RFC 6455 §9.1: extension parameters such as server_no_context_takeover have none.
    Element element =
        FieldValues.elements("permessage-deflate; server_no_context_takeover").getFirst();
    assertThat(element.parameters())
        .containsExactly(new Parameter("server_no_context_takeover", Optional.empty()));
  }

  @Test
  void emptyElementsAndEmptyParametersAreSkipped() {
    assertThat(FieldValues.elements(List.of(", a;;p=1; , ,", "b")))
        .containsExactly(
            new Element("a", List.of(new Parameter("p", Optional.of("1")))),
            new Element("b", List.of()));
    assertThat(FieldValues.elements(List.of())).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a; p=\"open", // unterminated quoted-string
        "a; p=\"x\"y", // text after the closing quote
        "a; p=x y", // an unquoted value that is not a token
        "a; p=", // an empty value
        "a; p=\"\u0001\"", // a control character inside quotes
        "a; p=\"\\\u0000\"", // ... even escaped
        "a; =x", // an empty name
        "a; b c=x", // a name that is not a token
        "; p=x", // parameters without an element
      })
  void malformedElementsAreRefused(String value) {
    assertThatThrownBy(() -> FieldValues.elements(value))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- single-valued fields, lenient

  @Test
  void aSingleValuedFieldKeepsItsCommas() {
    Element disposition =
        FieldValues.element("form-data; name=\"f\"; filename=\"a,b; c.txt\"; size=10");
    assertThat(disposition.value()).isEqualTo("form-data");
    assertThat(disposition.parameter("filename")).contains("a,b; c.txt");
    assertThat(disposition.parameter("SIZE")).contains("10");
    assertThat(FieldValues.parameter("multipart/form-data; boundary=x,y", "boundary"))
        .contains("x,y");
  }

  @Test
  void aSingleValuedFieldIsReadLeniently() {
    // What browsers and servers have always accepted: unquoted spaces, text after a quote.
    assertThat(FieldValues.parameter("form-data; filename=a b.txt", "filename"))
        .contains("a b.txt");
    assertThat(FieldValues.parameter("form-data; name=\"a\"junk; x=1", "name")).contains("a");
    assertThat(FieldValues.parameter("form-data; flag; name=n", "name")).contains("n");
    assertThat(FieldValues.parameter("form-data; name=\"open", "name"))
        .as("unterminated: no value")
        .isEmpty();
    assertThat(FieldValues.parameter("form-data", "name")).isEmpty();
  }

  @Test
  void aQuotedStringLosesOnlyItsEscapingBackslashes() {
    // A Windows path in a filename: "C:\\dir\\a.txt" is C:\dir\a.txt, not C:dira.txt.
    assertThat(FieldValues.parameter("form-data; filename=\"C:\\\\dir\\\\a.txt\"", "filename"))
        .contains("C:\\dir\\a.txt");
    assertThat(FieldValues.elements("x; p=\"a\\\\b\"").getFirst().parameter("p")).contains("a\\b");
  }

  @Test
  void extValuesAreDecodedAsUtf8() {
    assertThat(FieldValues.decodeExtValue("UTF-8''na%C3%AFve.txt")).contains("naïve.txt");
    assertThat(FieldValues.decodeExtValue("utf-8'en'%41")).contains("A");
    assertThat(FieldValues.decodeExtValue("ISO-8859-1''x")).isEmpty();
    assertThat(FieldValues.decodeExtValue("UTF-8''%zz")).isEmpty();
    assertThat(FieldValues.decodeExtValue("UTF-8''%4")).isEmpty();
    assertThat(FieldValues.decodeExtValue("no quotes")).isEmpty();
  }
}
