package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Await;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a writer on another thread saw while the loop was held busy: whether it paused at the high
 * watermark, what it handed over and the most bytes it saw pending. The plain and the TLS transport
 * tests check it alike; each writes in its own way (arrays, buffers).
 *
 * <p>The writer's thread updates it; the test's thread checks it.
 */
public final class PausedWriter {
  public final CountDownLatch paused = new CountDownLatch(1);
  public final AtomicLong handedOver = new AtomicLong();
  public final AtomicLong maxPending = new AtomicLong();

  /** After one {@code chunk} handed over: counts it and what the connection now holds. */
  public void wrote(Connection connection, int chunk) {
    handedOver.addAndGet(chunk);
    maxPending.accumulateAndGet(connection.pendingBytes(), Math::max);
  }

  /**
   * Waits for the writer to pause (or to finish) and checks that it stopped at the high watermark:
   * at most one chunk past it, in what it handed over and in what it saw pending.
   */
  public void assertStoppedAtHighWatermark(int payloadLength, int chunk) {
    Await.until(
        "the writer to pause or to hand over everything",
        () -> paused.getCount() == 0 || handedOver.get() == payloadLength);
    assertThat(handedOver.get())
        .as("bytes handed to a busy loop")
        .isLessThanOrEqualTo(Watermarks.DEFAULTS.high() + chunk);
    assertThat(maxPending.get())
        .as("pending bytes as the writer saw them")
        .isGreaterThan(Watermarks.DEFAULTS.high())
        .isLessThanOrEqualTo(Watermarks.DEFAULTS.high() + chunk);
  }
}
