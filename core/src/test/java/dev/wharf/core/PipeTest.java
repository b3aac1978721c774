package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import dev.wharf.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PipeTest {
  private final AtomicInteger drained = new AtomicInteger();
  private final AtomicInteger firstReads = new AtomicInteger();
  private final Pipe.Flow flow =
      new Pipe.Flow() {
        @Override
        public void firstRead() {
          firstReads.incrementAndGet();
        }

        @Override
        public void drained() {
          drained.incrementAndGet();
        }
      };

  private static ByteBuffer bytes(int n) {
    return ByteBuffer.wrap(new byte[n]);
  }

  @Test
  void asksToPauseAtTheHighWatermarkAndToResumeBelowTheLowOne() throws IOException {
    var pipe = new Pipe(100, 40, MemoryBudget.of(1000), flow);
    assertThat(pipe.offer(bytes(60))).as("below the high watermark").isFalse();
    assertThat(pipe.offer(bytes(40))).as("at the high watermark").isTrue();
    assertThat(pipe.isPaused()).isTrue();
    assertThat(pipe.offer(bytes(10))).as("asked once, not again").isFalse();

    pipe.readNBytes(60);
    assertThat(pipe.buffered()).isEqualTo(50);
    assertThat(drained).as("50 is not below 40").hasValue(0);
    pipe.readNBytes(11);
    assertThat(drained).hasValue(1);
    assertThat(pipe.isPaused()).isFalse();
    assertThat(pipe.received()).isEqualTo(110);
  }

  @Test
  void readsWhatWasOfferedInOrderThenTheEnd() throws IOException {
    var pipe = new Pipe(100, 40, MemoryBudget.of(1000), flow);
    pipe.offer(ByteBuffer.wrap("hello, ".getBytes(StandardCharsets.US_ASCII)));
    pipe.offer("world".getBytes(StandardCharsets.US_ASCII));
    pipe.finish();
    assertThat(new String(pipe.readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("hello, world");
    assertThat(pipe.read()).isEqualTo(-1);
    assertThat(pipe.isComplete()).isTrue();
  }

  @Test
  void aReaderWaitsForTheLoopAndTellsItOfItsFirstRead() throws Exception {
    var pipe = new Pipe(100, 40, MemoryBudget.of(1000), flow);
    var read = CompletableFuture.supplyAsync(() -> readAll(pipe));
    Await.until("the reader's first read told", () -> firstReads.get() == 1);
    pipe.offer(bytes(7));
    pipe.finish();
    assertThat(read.get(5, TimeUnit.SECONDS)).hasSize(7);
    assertThat(firstReads).hasValue(1);
  }

  @Test
  void aFailureComesAfterWhatWasBufferedAndOnlyTheFirstCounts() throws IOException {
    var pipe = new Pipe(100, 40, MemoryBudget.of(1000), flow);
    pipe.offer(bytes(5));
    var cause = new IOException("too slow");
    pipe.fail(cause);
    pipe.fail(new IOException("later"));
    assertThat(pipe.readNBytes(5)).hasSize(5);
    assertThatIOException().isThrownBy(pipe::read).isSameAs(cause);
    assertThat(pipe.failure()).containsSame(cause);
    assertThat(pipe.offer(bytes(5))).as("dropped after the failure").isFalse();
    assertThat(pipe.buffered()).isZero();
  }

  @Test
  void aFinishedPipeCannotFail() throws IOException {
    var pipe = new Pipe(100, 40, MemoryBudget.of(1000), flow);
    pipe.finish();
    pipe.fail(new IOException("too late"));
    assertThat(pipe.failure()).isEmpty();
    assertThat(pipe.read()).isEqualTo(-1);
  }

  @Test
  void closingDropsWhatIsBufferedAndWhatComesAndLetsAPausedLoopGoOn() {
    var budget = MemoryBudget.of(1000);
    var pipe = new Pipe(100, 40, budget, flow);
    assertThat(pipe.offer(bytes(100))).isTrue();
    pipe.close();
    assertThat(drained).hasValue(1);
    assertThat(budget.reservedBytes()).isZero();
    assertThat(pipe.offer(bytes(100))).isFalse();
    assertThat(pipe.buffered()).isZero();
    assertThat(pipe.received()).isEqualTo(200);
    assertThatIOException().isThrownBy(pipe::read).withMessage("stream closed");
  }

  @Test
  void whatIsBufferedIsHeldInTheBudgetUntilRead() throws IOException {
    var budget = MemoryBudget.of(1000);
    var pipe = new Pipe(500, 100, budget, flow);
    pipe.offer(bytes(300));
    assertThat(budget.reservedBytes()).isEqualTo(300);
    pipe.readNBytes(120);
    assertThat(budget.reservedBytes()).isEqualTo(180);
    pipe.readNBytes(180);
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void aSpentBudgetPausesTheLoopUntilEverythingIsRead() throws IOException {
    var budget = MemoryBudget.of(100);
    assertThat(budget.tryReserve(90)).isTrue(); // Other connections hold most of it.
    var pipe = new Pipe(1000, 500, budget, flow);
    assertThat(pipe.offer(bytes(50)))
        .as("the read already done is taken, and a pause asked")
        .isTrue();
    assertThat(pipe.buffered()).isEqualTo(50);
    assertThat(budget.reservedBytes()).as("not counted: the budget had no room").isEqualTo(90);

    pipe.readNBytes(49);
    assertThat(drained).as("below the low watermark, but not empty").hasValue(0);
    pipe.readNBytes(1);
    assertThat(drained).hasValue(1);
    assertThat(budget.reservedBytes()).isEqualTo(90);
  }

  @Test
  void aTransferWritesTheChunksThemselvesAndFlushesBeforeEachWait() throws Exception {
    var pipe = new Pipe(1000, 500, MemoryBudget.of(1000), flow);
    var out = new FlushCountingStream();
    byte[] first = new byte[10];
    pipe.offer(first);
    var transfer = CompletableFuture.supplyAsync(() -> transfer(pipe, out));
    Await.until("a flush before waiting for more", () -> out.flushes.get() == 1);
    assertThat(out.size()).isEqualTo(10);
    pipe.offer(bytes(20));
    pipe.finish();
    assertThat(transfer.get(5, TimeUnit.SECONDS)).isEqualTo(30);
    assertThat(out.size()).isEqualTo(30);
  }

  private static byte[] readAll(Pipe pipe) {
    try {
      return pipe.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long transfer(Pipe pipe, OutputStream out) {
    try {
      return pipe.transferTo(out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static final class FlushCountingStream extends ByteArrayOutputStream {
    final AtomicInteger flushes = new AtomicInteger();

    @Override
    public void flush() {
      flushes.incrementAndGet();
    }
  }
}
