package dev.wharf.http.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.Http2Exception;
import org.junit.jupiter.api.Test;

/**
 * Receive-side flow control (RFC 9113 §6.9): DATA beyond the window is a FLOW_CONTROL_ERROR of its
 * scope, consumed bytes go back in a WINDOW_UPDATE once half the window is used, and auto-tuning
 * doubles a window that the peer fills within two round trips.
 */
class ReceiveWindowTest {
  private static final long MS = 1_000_000;

  @Test
  void dataBeyondTheWindowIsAFlowControlErrorOfItsScope() {
    var stream = new ReceiveWindow(7, 100, 100);
    stream.receive(60);
    assertThatThrownBy(() -> stream.receive(41))
        .isInstanceOfSatisfying(
            Http2Exception.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR);
              assertThat(e.streamId()).isEqualTo(7);
            });
    var connection = new ReceiveWindow(0, 100, 100);
    assertThatThrownBy(() -> connection.receive(101))
        .isInstanceOfSatisfying(
            Http2Exception.class, e -> assertThat(e.isConnectionError()).isTrue());
    stream.receive(40); // the window exactly
    assertThat(stream.window()).isZero();
  }

  @Test
  void aWindowUpdateGoesOutOnceHalfTheWindowIsConsumed() {
    var window = new ReceiveWindow(1, 65_535, 65_535);
    window.receive(40_000);
    assertThat(window.consumed(30_000, 0)).isZero();
    assertThat(window.pending()).isEqualTo(30_000);
    assertThat(window.consumed(2_767, 0)).isEqualTo(32_767);
    assertThat(window.window()).isEqualTo(65_535 - 40_000 + 32_767);
    assertThat(window.pending()).isZero();
    assertThat(window.consumed(7_233, 0)).isZero(); // the rest of what arrived
    assertThatThrownBy(() -> window.consumed(1, 0))
        .as("more consumed than arrived")
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withoutARoundTripTimeTheWindowNeverGrows() {
    var window = new ReceiveWindow(1, 1000, 1 << 20);
    for (int i = 0; i < 100; i++) {
      window.receive(500);
      assertThat(window.consumed(500, i)).isEqualTo(500);
    }
    assertThat(window.target()).isEqualTo(1000);
  }

  @Test
  void aWindowFilledWithinTwoRoundTripsDoublesUpToItsMaximum() {
    var window = new ReceiveWindow(1, 1000, 4000);
    window.roundTrip(10 * MS);
    long now = 0;
    window.receive(500);
    assertThat(window.consumed(500, now)).isEqualTo(500); // the first epoch starts here
    now += 5 * MS;
    window.receive(500);
    assertThat(window.consumed(500, now)).isEqualTo(500 + 1000); // within 2 RTT: doubled
    assertThat(window.target()).isEqualTo(2000);
    now += 5 * MS;
    window.receive(1000);
    assertThat(window.consumed(1000, now)).isEqualTo(1000 + 2000);
    assertThat(window.target()).isEqualTo(4000);
    now += 5 * MS;
    window.receive(2000);
    assertThat(window.consumed(2000, now)).isEqualTo(2000); // at the maximum
    assertThat(window.target()).isEqualTo(4000);
    assertThat(window.window()).isEqualTo(4000);
  }

  @Test
  void aSlowReaderKeepsItsWindow() {
    var window = new ReceiveWindow(1, 1000, 1 << 20);
    window.roundTrip(10 * MS);
    long now = 0;
    for (int i = 0; i < 10; i++) {
      window.receive(500);
      now += 50 * MS; // the application takes five round trips per half window
      assertThat(window.consumed(500, now)).isEqualTo(500);
    }
    assertThat(window.target()).isEqualTo(1000);
  }

  @Test
  void theConnectionWindowGrowsAtOnceFromItsFixedStart() {
    var connection = new ReceiveWindow(0, 65_535, 1 << 24);
    assertThat(connection.growTo(1 << 20)).isEqualTo((1 << 20) - 65_535);
    assertThat(connection.window()).isEqualTo(1 << 20);
    assertThat(connection.growTo(1000)).isZero();
    assertThat(connection.growTo(1 << 30)).isEqualTo((1 << 24) - (1 << 20));
  }

  @Test
  void ourNewInitialWindowSizeMovesTheStreamWindow() {
    var window = new ReceiveWindow(1, 65_535, 1 << 20);
    window.receive(10_000);
    window.adjust(-55_535); // SETTINGS_INITIAL_WINDOW_SIZE 10,000, acknowledged
    assertThat(window.window()).isZero();
    assertThat(window.target()).isEqualTo(10_000);
    assertThat(window.consumed(10_000, 0)).isEqualTo(10_000);
  }
}
