package dev.wharf.websocket.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testkit.Feed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PerMessageDeflateTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "permessage-deflate | permessage-deflate",
        "permessage-deflate; client_max_window_bits | permessage-deflate",
        "permessage-deflate; client_max_window_bits=10 | permessage-deflate",
        // RFC 7692 §7.1.2.1: an accepted server window is named in the answer.
        "permessage-deflate; server_max_window_bits=15 | permessage-deflate; server_max_window_bits=15",
        "permessage-deflate; server_max_window_bits=10 | permessage-deflate; server_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=8 | permessage-deflate; server_max_window_bits=8",
        "permessage-deflate; client_max_window_bits; server_max_window_bits=9 | permessage-deflate; server_max_window_bits=9",
        "permessage-deflate; server_no_context_takeover | permessage-deflate; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover | permessage-deflate; client_no_context_takeover",
        // An offer we cannot take is declined; the next one is taken.
        "permessage-deflate; server_max_window_bits=16, permessage-deflate | permessage-deflate",
        "permessage-deflate; server_max_window_bits=16 | -",
        "permessage-deflate; server_max_window_bits=7 | -",
        "permessage-deflate; server_max_window_bits | -",
        "permessage-deflate; client_max_window_bits=7 | -",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover | -",
        "permessage-deflate; unknown_param | -",
        "x-webkit-deflate-frame | -",
        "permessage-deflate; server_no_context_takeover=1 | -",
      })
  void theServerAcceptsTheFirstOfferItCanHonour(String offer, String answer) {
    Optional<PerMessageDeflate.Agreement> agreed =
        PerMessageDeflate.accept(List.of(offer), false, false);
    assertThat(agreed.map(PerMessageDeflate.Agreement::header).orElse("-")).isEqualTo(answer);
  }

  @ParameterizedTest(name = "{0} -> {1} bits")
  @CsvSource(
      delimiter = '|',
      value = {
        "permessage-deflate | 15",
        "permessage-deflate; client_max_window_bits=9 | 15",
        "permessage-deflate; server_max_window_bits=9 | 9",
        "permessage-deflate; server_max_window_bits=8 | 8",
        "permessage-deflate; server_max_window_bits=12; server_no_context_takeover | 12",
      })
  void theServerCompressesWithTheWindowTheClientAskedFor(String offer, int bits) {
    var agreed = PerMessageDeflate.accept(List.of(offer), false, false).orElseThrow();
    assertThat(agreed.localWindowBits()).isEqualTo(bits);
  }

  @Test
  void theClientOffersToLimitItsWindowAndTakesTheServersChoice() {
    assertThat(PerMessageDeflate.offer(false, false, 0))
        .isEqualTo("permessage-deflate; client_max_window_bits");
    assertThat(PerMessageDeflate.offer(true, true, 10))
        .isEqualTo(
            "permessage-deflate; client_no_context_takeover; server_no_context_takeover;"
                + " server_max_window_bits=10; client_max_window_bits");
    for (int bits = 8; bits <= 15; bits++) {
      var agreed =
          PerMessageDeflate.checkResponse(
                  List.of("permessage-deflate; client_max_window_bits=" + bits), false)
              .orElseThrow();
      assertThat(agreed.localWindowBits()).isEqualTo(bits);
    }
    var unlimited =
        PerMessageDeflate.checkResponse(List.of("permessage-deflate"), false).orElseThrow();
    assertThat(unlimited.localWindowBits()).isEqualTo(15);
  }

  @Test
  void serverOptionsAddNoContextTakeoverToTheAnswer() {
    var agreed = PerMessageDeflate.accept(List.of("permessage-deflate"), true, true).orElseThrow();
    assertThat(agreed.header())
        .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    assertThat(agreed.localNoContextTakeover()).isTrue();
    assertThat(agreed.peerNoContextTakeover()).isTrue();
  }

  @Test
  void theClientRefusesAnswersItCannotHonour() {
    assertThat(PerMessageDeflate.checkResponse(List.of(), false)).isEmpty();
    var ok =
        PerMessageDeflate.checkResponse(
                List.of("permessage-deflate; server_no_context_takeover; server_max_window_bits=9"),
                false)
            .orElseThrow();
    assertThat(ok.peerNoContextTakeover()).isTrue();
    for (String bad :
        new String[] {
          // §7.1.2.2: the answer must name the window, one of 8..15.
          "permessage-deflate; client_max_window_bits",
          "permessage-deflate; client_max_window_bits=16",
          "permessage-deflate; client_max_window_bits=7",
          "permessage-deflate; server_max_window_bits=16",
          "permessage-deflate; bogus",
          "x-other",
          "permessage-deflate, permessage-deflate"
        }) {
      assertThatThrownBy(() -> PerMessageDeflate.checkResponse(List.of(bad), false))
          .as(bad)
          .isInstanceOfSatisfying(
              WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1010));
    }
  }

  static byte[] inflate(MessageInflater inflater, ByteBuffer compressed, Feed feed) {
    var out = new ByteArrayOutputStream();
    MessageInflater.Output sink =
        chunk -> {
          byte[] bytes = new byte[chunk.remaining()];
          chunk.get(bytes);
          out.writeBytes(bytes);
        };
    byte[] wire = new byte[compressed.remaining()];
    compressed.get(wire);
    feed.feed(wire, piece -> inflater.inflate(piece, sink));
    inflater.finish(sink);
    return out.toByteArray();
  }

  @Test
  void messagesRoundTripWithAndWithoutContextTakeoverUnderEveryFeed() {
    var random = new Random(5);
    for (boolean noContext : new boolean[] {false, true}) {
      for (Feed feed : Feed.values()) {
        try (var deflater = new MessageDeflater(6, noContext);
            var inflater = new MessageInflater(noContext, 1 << 20)) {
          for (int i = 0; i < 30; i++) {
            byte[] message =
                ("message " + i + " " + "abc".repeat(random.nextInt(3000)))
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer compressed = deflater.compress(ByteBuffer.wrap(message));
            assertThat(inflate(inflater, compressed, feed)).isEqualTo(message);
          }
        }
      }
    }
  }

  @Test
  void contextTakeoverMakesARepeatedMessageSmaller() {
    byte[] message =
        "the same sentence, again and again".repeat(3).getBytes(StandardCharsets.UTF_8);
    try (var deflater = new MessageDeflater(6, false)) {
      int first = deflater.compress(ByteBuffer.wrap(message)).remaining();
      int second = deflater.compress(ByteBuffer.wrap(message)).remaining();
      assertThat(second).isLessThan(first);
    }
  }

  @Test
  void anEmptyMessageRoundTrips() {
    try (var deflater = new MessageDeflater(6, false);
        var inflater = new MessageInflater(false, 100)) {
      ByteBuffer compressed = deflater.compress(ByteBuffer.allocate(0));
      assertThat(inflate(inflater, compressed, Feed.WHOLE)).isEmpty();
    }
  }

  @Test
  void aZipBombStopsAtTheLimitWith1009() {
    try (var deflater = new MessageDeflater(9, false);
        var inflater = new MessageInflater(false, 1 << 20)) {
      ByteBuffer bomb = deflater.compress(ByteBuffer.allocate(64 << 20)); // 64 MiB of zeros
      assertThat(bomb.remaining()).isLessThan(100_000);
      assertThatThrownBy(() -> inflate(inflater, bomb, Feed.WHOLE))
          .isInstanceOfSatisfying(
              WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1009));
    }
  }

  @Test
  void dataThatDoesNotInflateIs1007() {
    try (var inflater = new MessageInflater(false, 1 << 20)) {
      assertThatThrownBy(
              () ->
                  inflate(
                      inflater, ByteBuffer.wrap(new byte[] {(byte) 0xff, 0x00, 0x13}), Feed.WHOLE))
          .isInstanceOfSatisfying(
              WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1007));
    }
  }
}
