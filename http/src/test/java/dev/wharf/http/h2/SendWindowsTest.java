package dev.wharf.http.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.Http2Exception;
import org.junit.jupiter.api.Test;

/** Send-side flow control (RFC 9113 §5.2, §6.9): both windows limit DATA, SETTINGS move them. */
class SendWindowsTest {

  @Test
  void dataIsLimitedByTheSmallerOfBothWindows() {
    var windows = new SendWindows();
    windows.open(1);
    windows.open(3);
    assertThat(windows.sendable(1, 100_000)).isEqualTo(65_535);
    windows.consume(1, 60_000);
    assertThat(windows.sendable(1, 100_000)).isEqualTo(5_535);
    assertThat(windows.sendable(3, 100_000)).isEqualTo(5_535); // the connection's window
    windows.consume(3, 5_535);
    assertThat(windows.sendable(3, 1)).isZero();
    windows.windowUpdate(0, 10_000);
    assertThat(windows.sendable(3, 100_000)).isEqualTo(10_000);
    assertThat(windows.sendable(1, 100_000)).isEqualTo(5_535); // the stream's window
    assertThatThrownBy(() -> windows.consume(1, 5_536))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aWindowUpdatePast2To31IsAFlowControlErrorOfItsScope() {
    var windows = new SendWindows();
    windows.open(5);
    // RFC 9113 §6.9.1: a stream's window: a stream error; the connection's: a connection error.
    assertThatThrownBy(() -> windows.windowUpdate(5, Integer.MAX_VALUE))
        .isInstanceOfSatisfying(
            Http2Exception.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR);
              assertThat(e.streamId()).isEqualTo(5);
            });
    assertThatThrownBy(() -> windows.windowUpdate(0, Integer.MAX_VALUE - 65_534))
        .isInstanceOfSatisfying(
            Http2Exception.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR);
              assertThat(e.isConnectionError()).isTrue();
            });
    windows.windowUpdate(0, Integer.MAX_VALUE - 65_535); // exactly 2^31-1 is allowed
    assertThat(windows.connectionWindow()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void aWindowUpdateForAClosedStreamIsIgnored() {
    var windows = new SendWindows();
    windows.open(1);
    windows.close(1);
    windows.windowUpdate(1, 100);
    assertThat(windows.connectionWindow()).isEqualTo(65_535);
  }

  @Test
  void aNewInitialWindowSizeMovesEveryOpenStreamButNotTheConnection() {
    var windows = new SendWindows();
    windows.open(1);
    windows.open(3);
    windows.consume(1, 50_000);
    windows.initialWindowSize(16_384); // §6.9.2: 1 goes negative, 3 shrinks
    assertThat(windows.streamWindow(1)).isEqualTo(15_535 - 49_151);
    assertThat(windows.sendable(1, 10)).isZero();
    assertThat(windows.streamWindow(3)).isEqualTo(16_384);
    assertThat(windows.connectionWindow()).isEqualTo(15_535);
    windows.windowUpdate(1, 40_000);
    assertThat(windows.streamWindow(1)).isEqualTo(6_384);
    windows.open(5);
    assertThat(windows.streamWindow(5)).isEqualTo(16_384);
    windows.initialWindowSize(1 << 20);
    assertThat(windows.streamWindow(3)).isEqualTo(1 << 20);
  }

  @Test
  void anInitialWindowSizeThatTakesAStreamPast2To31IsAConnectionFlowControlError() {
    var windows = new SendWindows();
    windows.open(1);
    windows.windowUpdate(1, Integer.MAX_VALUE - 65_535);
    assertThatThrownBy(() -> windows.initialWindowSize(65_536))
        .isInstanceOfSatisfying(
            Http2Exception.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR);
              assertThat(e.isConnectionError()).isTrue();
            });
    assertThatThrownBy(() -> windows.initialWindowSize(1L << 31))
        .isInstanceOf(Http2Exception.class);
  }
}
