package dev.wharf.http.h2.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testkit.Feed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The client connection preface (RFC 9113 §3.4), read and recognised under every feed. */
class ConnectionPrefaceTest {
  private static final byte[] PREFACE = ConnectionPreface.bytes();

  @ParameterizedTest
  @EnumSource(Feed.class)
  void thePrefaceIsReadAndWhatFollowsItIsLeft(Feed feed) {
    byte[] input = RawFrames.concat(PREFACE, RawFrames.settings());
    var preface = new ConnectionPreface();
    var after = ByteBuffer.allocate(input.length);
    feed.feed(
        input,
        piece -> {
          if (!preface.isRead()) {
            preface.read(piece);
          }
          after.put(piece);
        });
    assertThat(preface.isRead()).isTrue();
    assertThat(after.flip().remaining()).isEqualTo(9);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\n", "PRI / HTTP/2.0"})
  void anythingElseIsAProtocolError(String text) {
    byte[] input = text.getBytes(StandardCharsets.US_ASCII);
    for (Feed feed : Feed.values()) {
      var preface = new ConnectionPreface();
      assertThatThrownBy(() -> feed.feed(input, preface::read))
          .as(feed.toString())
          .isInstanceOfSatisfying(
              Http2Exception.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
                assertThat(e.isConnectionError()).isTrue();
              });
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3, 14, 23})
  void aBeginningOfThePrefaceNeedsMore(int length) {
    ByteBuffer start = ByteBuffer.wrap(PREFACE, 0, length);
    assertThat(ConnectionPreface.match(start)).isEqualTo(ConnectionPreface.Match.NEED_MORE);
    assertThat(start.position()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\n", "POST", "PRI * HTTP/1.1", "P\0"})
  void http11IsNotThePreface(String text) {
    var input = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(ConnectionPreface.match(input)).isEqualTo(ConnectionPreface.Match.NOT_PREFACE);
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void theWholePrefaceMatchesEvenWithFramesAfterIt(Feed feed) {
    byte[] input = RawFrames.concat(PREFACE, RawFrames.settings());
    var seen = ByteBuffer.allocate(input.length);
    var matches = new java.util.ArrayList<ConnectionPreface.Match>();
    feed.feed(
        input, piece -> matches.add(ConnectionPreface.match(seen.put(piece).duplicate().flip())));
    assertThat(matches).last().isEqualTo(ConnectionPreface.Match.PREFACE);
    assertThat(matches).doesNotContain(ConnectionPreface.Match.NOT_PREFACE);
    assertThat(ConnectionPreface.length()).isEqualTo(24);
  }
}
