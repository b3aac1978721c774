package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.http.Headers;
import dev.wharf.http.codec.Http1ResponseEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HeadCacheTest {
  private static final byte[] SECOND_ONE =
      ascii("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: w\r\n");
  private static final byte[] SECOND_TWO =
      ascii("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\nServer: w\r\n");

  @Test
  void everyHeadIsWhatTheEncoderMakesWhateverCameBefore() {
    var cache = HeadCache.onLoop();
    String text = "text/plain";
    String json = "application/json";
    // The same head again, then each part changed in turn, then back.
    Object[][] heads = {
      {200, "Content-Type", text, SECOND_ONE, 13L},
      {200, "Content-Type", text, SECOND_ONE, 13L},
      {404, "Content-Type", text, SECOND_ONE, 13L},
      {200, "Content-Type", json, SECOND_ONE, 13L},
      {200, "Content-Type", new String(text), SECOND_ONE, 13L},
      {200, "Content-Language", text, SECOND_ONE, 13L},
      {200, "Content-Type", text, SECOND_TWO, 13L},
      {200, "Content-Type", text, SECOND_TWO, 130L},
      {200, "Content-Type", text, SECOND_TWO, -1L},
      {200, "Content-Type", text, SECOND_ONE, 13L},
    };
    for (Object[] head : heads) {
      Headers.Builder headers = Headers.builder().add((String) head[1], (String) head[2]);
      int status = (int) head[0];
      byte[] common = (byte[]) head[3];
      long length = (long) head[4];
      byte[] expected = Http1ResponseEncoder.encodeHead(status, headers.build(), -1);
      int n = cache.head(status, headers, common, length);
      byte[] fresh = new byte[Http1ResponseEncoder.headLength(status, headers, common, length)];
      Http1ResponseEncoder.encodeHead(status, headers, common, length, fresh);
      assertThat(Arrays.copyOf(cache.bytes(), n)).as("%s", Arrays.toString(head)).isEqualTo(fresh);
      assertThat(ascii(fresh)).startsWith(ascii(expected).substring(0, expected.length - 2));
    }
  }

  @Test
  void headsWithOtherThanOneFieldOrTooLongAreLeftToTheEncoder() {
    var cache = HeadCache.onLoop();
    assertThat(cache.head(200, Headers.builder(), SECOND_ONE, 0)).isEqualTo(-1);
    assertThat(cache.head(200, Headers.builder().add("A", "1").add("B", "2"), SECOND_ONE, 0))
        .isEqualTo(-1);
    assertThat(cache.head(200, Headers.builder().add("A", "x".repeat(600)), SECOND_ONE, 0))
        .isEqualTo(-1);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String ascii(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
