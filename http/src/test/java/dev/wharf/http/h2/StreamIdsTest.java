package dev.wharf.http.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.Http2Exception;
import org.junit.jupiter.api.Test;

/** Stream identifiers (RFC 9113 §5.1.1): parity by side, always increasing, never reused. */
class StreamIdsTest {

  private static void assertProtocolError(Runnable action) {
    assertThatThrownBy(action::run)
        .isInstanceOfSatisfying(
            Http2Exception.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
              assertThat(e.isConnectionError()).isTrue();
            });
  }

  @Test
  void aServerAcceptsIncreasingOddStreamsFromItsClient() {
    var ids = new StreamIds(true);
    ids.acceptPeerStream(1);
    ids.acceptPeerStream(7); // skipping ids closes 3 and 5 (§5.1.1)
    assertThat(ids.lastPeerStreamId()).isEqualTo(7);
    assertThat(ids.isIdle(5)).isFalse();
    assertThat(ids.isIdle(9)).isTrue();
  }

  @Test
  void aPeerStreamIdThatDoesNotIncreaseIsAProtocolError() {
    var ids = new StreamIds(true);
    ids.acceptPeerStream(5);
    assertProtocolError(() -> ids.acceptPeerStream(5));
    assertProtocolError(() -> ids.acceptPeerStream(3));
  }

  @Test
  void aPeerStreamOfOurParityIsAProtocolError() {
    assertProtocolError(() -> new StreamIds(true).acceptPeerStream(2));
    assertProtocolError(() -> new StreamIds(false).acceptPeerStream(1));
    new StreamIds(false).acceptPeerStream(2); // a client may see a server's (pushed) even id
  }

  @Test
  void ourStreamsAreOddOnAClientAndEvenOnAServer() {
    var client = new StreamIds(false);
    assertThat(client.nextLocalStreamId()).isEqualTo(1);
    assertThat(client.nextLocalStreamId()).isEqualTo(3);
    assertThat(client.isIdle(3)).isFalse();
    assertThat(client.isIdle(5)).isTrue();
    assertThat(client.isPeerInitiated(2)).isTrue();
    assertThat(new StreamIds(true).nextLocalStreamId()).isEqualTo(2);
  }

  @Test
  void ourStreamIdsRunOutAt2To31() {
    var client = new StreamIds(false);
    int last = 0;
    for (int i = 0; i < (1 << 30); i++) {
      last = client.nextLocalStreamId();
    }
    assertThat(last).isEqualTo(Integer.MAX_VALUE);
    assertThat(client.hasLocalStreamIds()).isFalse();
    assertThatThrownBy(client::nextLocalStreamId).isInstanceOf(IllegalStateException.class);
  }
}
