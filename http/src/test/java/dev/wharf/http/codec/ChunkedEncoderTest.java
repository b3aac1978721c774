package dev.wharf.http.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.http.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The last chunk with and without a trailer section (RFC 9112 §7.1.2). */
class ChunkedEncoderTest {

  private static String text(ByteBuffer buffer) {
    return StandardCharsets.ISO_8859_1.decode(buffer.duplicate()).toString();
  }

  @Test
  void theLastChunkCarriesTrailersAsFieldLines() {
    assertThat(text(ChunkedEncoder.lastChunk())).isEqualTo("0\r\n\r\n");
    assertThat(text(ChunkedEncoder.lastChunk(Headers.EMPTY))).isEqualTo("0\r\n\r\n");
    var trailers = Headers.builder().add("X-Checksum", "sha256:01").add("X-Parts", "2").build();
    assertThat(text(ChunkedEncoder.lastChunk(trailers)))
        .isEqualTo("0\r\nX-Checksum: sha256:01\r\nX-Parts: 2\r\n\r\n");
  }

  @Test
  void aTrailerThatCouldSplitTheMessageIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                ChunkedEncoder.lastChunk(
                    Headers.builder().add("X-Evil", "a\r\nHTTP/1.1 200 OK").build()));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ChunkedEncoder.lastChunk(Headers.builder().add("Bad Name", "x").build()));
  }
}
