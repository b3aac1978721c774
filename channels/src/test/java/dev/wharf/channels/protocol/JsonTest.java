package dev.wharf.channels.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Json#fields}: every value kept as its exact text, whatever the spacing around it. */
class JsonTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":1,\"data\":%s,\"z\":true}",
        "{ \"a\" : 1 ,\n \"data\" :\t%s\r\n, \"z\" : true }",
        "{\"data\":%s,\"a\":1,\"z\":true}",
        "{\"a\":1,\"z\":true,\"data\":%s}",
        "  {\"a\":1,\"z\":true,\"data\":%s  }  ",
      })
  void aValueIsKeptAsItsTextWhereverItStands(String shape) {
    for (String value :
        new String[] {
          "{ \"x\" : [1, 2.50, 1E+2, -0.0, \"\\u00e9é\\\"\"] }",
          "\"a, b } ]\"",
          "123456789012345678901234567890",
          "-1.5e-300",
          "null",
          "true",
          "[]",
          "{}",
          "[{\"a\":[{}]} , 3 ]",
          "\"\"",
        }) {
      Map<String, String> fields = Json.fields(shape.formatted(value));
      assertThat(fields.get("data")).as(shape).isEqualTo(value);
      assertThat(fields.get("a")).isEqualTo("1");
      assertThat(fields.get("z")).isEqualTo("true");
    }
  }

  @Test
  void seededRandomValuesRoundTripThroughARequestAndADelivery() {
    var random = new Random(14);
    for (int i = 0; i < 500; i++) {
      String value = randomValue(random, 0);
      String request = ServerMessages.request("publish", "1", "channel", "\"c\"", "data", value);
      var decoded = (Request.Publish) RequestDecoder.decode(request);
      assertThat(decoded.data()).isEqualTo(value);
      var delivery =
          ServerMessages.delivery(new dev.wharf.channels.Publication("c", "e", i + 1, value));
      var read = (ServerMessage.Delivery) ServerMessageDecoder.decode(delivery);
      assertThat(read.data()).isEqualTo(value);
      assertThat(read.position().offset()).isEqualTo(i + 1);
    }
  }

  private static String randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 3 ? 4 : 6);
    String space = random.nextBoolean() ? "" : " \n\t".substring(0, 1 + random.nextInt(3));
    return switch (kind) {
      case 0 -> Long.toString(random.nextLong());
      case 1 -> random.nextDouble() * 1e6 + (random.nextBoolean() ? "" : "e-3");
      case 2 -> Json.quote(randomString(random));
      case 3 -> new String[] {"true", "false", "null"}[random.nextInt(3)];
      case 4 -> {
        var items = new StringBuilder("[" + space);
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          items.append(i > 0 ? "," + space : "").append(randomValue(random, depth + 1));
        }
        yield items.append(space).append("]").toString();
      }
      default -> {
        var fields = new StringBuilder("{" + space);
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          fields
              .append(i > 0 ? "," : "")
              .append(Json.quote("k" + i))
              .append(space)
              .append(":")
              .append(randomValue(random, depth + 1));
        }
        yield fields.append(space).append("}").toString();
      }
    };
  }

  private static String randomString(Random random) {
    var text = new StringBuilder();
    int n = random.nextInt(8);
    for (int i = 0; i < n; i++) {
      String[] pieces = {"a", "\"", "\\", ",", "}", "]", "é", "\u0001", "\ud83d\ude00", " "};
      text.append(pieces[random.nextInt(pieces.length)]);
    }
    return text.toString();
  }

  @Test
  void onlyOneObjectIsAMessage() {
    for (String text :
        new String[] {"", "1", "[]", "{} {}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1"}) {
      assertThatThrownBy(() -> Json.fields(text))
          .as(text)
          .isInstanceOfSatisfying(
              ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
  }

  @Test
  void isValueAndCompactAndQuote() {
    assertThat(Json.isValue(" {\"a\": 1} ")).isTrue();
    assertThat(Json.isValue("hello")).isFalse();
    assertThat(Json.isValue("1 2")).isFalse();
    assertThat(Json.isValue("")).isFalse();
    assertThat(Json.compact("{ \"a\" :\n [1, \"x y\"] }")).isEqualTo("{\"a\":[1,\"x y\"]}");
    assertThat(Json.quote("say \"hi\"\n")).isEqualTo("\"say \\\"hi\\\"\\n\"");
    assertThat(Json.stringValue("\"\\u00e9\"")).isEqualTo("é");
  }
}
