package dev.wharf.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.http.codec.HttpDate;
import dev.wharf.http.server.CommonFieldLines.ConnectionField;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommonFieldLinesTest {
  @Test
  void spellsTheCurrentDateTheServerAndTheConnectionField() {
    long now = System.nanoTime();
    String date = HttpDate.now(now);
    String prefix = "Date: " + date + "\r\nServer: wharf\r\n";

    assertThat(text(CommonFieldLines.dateServerAnd(now, ConnectionField.NONE))).isEqualTo(prefix);
    assertThat(text(CommonFieldLines.dateServerAnd(now, ConnectionField.CLOSE)))
        .isEqualTo(prefix + "Connection: close\r\n");
    assertThat(text(CommonFieldLines.dateServerAnd(now, ConnectionField.KEEP_ALIVE)))
        .isEqualTo(prefix + "Connection: keep-alive\r\n");
  }

  @Test
  void theConnectionLineAloneIsForResponsesWithTheirOwnDateOrServer() {
    assertThat(text(CommonFieldLines.connectionOnly(ConnectionField.NONE))).isEmpty();
    assertThat(text(CommonFieldLines.connectionOnly(ConnectionField.CLOSE)))
        .isEqualTo("Connection: close\r\n");
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
