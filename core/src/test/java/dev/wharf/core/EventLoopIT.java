package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.testing.CapturedLog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventLoopIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "loop-test", true);

  @AfterEach
  void shutDown() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aThrowingScheduledTaskDoesNotStopTheLoop() throws Exception {
    EventLoop loop = group.loops().getFirst();
    try (var log =
        CapturedLog.expect(EventLoop.class, Level.WARNING, IllegalStateException.class)) {
      loop.schedule(
          Duration.ofMillis(1),
          () -> {
            throw new IllegalStateException("timer bug");
          });
      var later = new CompletableFuture<String>();
      loop.schedule(Duration.ofMillis(50), () -> later.complete("still running"));
      assertThat(later.get(5, TimeUnit.SECONDS)).isEqualTo("still running");
      assertThat(loop.terminationFuture()).isNotDone();
      assertThat(log.await(Duration.ofSeconds(5)).getThrown()).hasMessage("timer bug");
    }
  }

  @Test
  void aPendingTimerDoesNotSpinTheLoop() throws Exception {
    EventLoop loop = group.loops().getFirst();
    var turns = new CompletableFuture<Long>();
    // Ten timers one after the other, 15 ms apart: each wait ends in a fraction of a millisecond.
    loop.execute(() -> chainTimers(loop, 10, loop.turnsOnLoop(), turns));
    // Rounded up, a select sleeps until the timer is due: about one turn a timer. Rounded down to
    // 0, the loop spun on selectNow through the last millisecond before each: hundreds of turns.
    assertThat(turns.get(10, TimeUnit.SECONDS)).isLessThanOrEqualTo(30);
  }

  private static void chainTimers(
      EventLoop loop, int left, long firstTurn, CompletableFuture<Long> turns) {
    if (left == 0) {
      turns.complete(loop.turnsOnLoop() - firstTurn);
      return;
    }
    loop.schedule(Duration.ofMillis(15), () -> chainTimers(loop, left - 1, firstTurn, turns));
  }

  @Test
  void aThrowingTaskDoesNotStopTheLoop() throws Exception {
    EventLoop loop = group.loops().getFirst();
    try (var log =
        CapturedLog.expect(EventLoop.class, Level.WARNING, IllegalStateException.class)) {
      loop.execute(
          () -> {
            throw new IllegalStateException("task bug");
          });
      var after = new CompletableFuture<Boolean>();
      loop.execute(() -> after.complete(loop.inEventLoop()));
      assertThat(after.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(log.await(Duration.ofSeconds(5)).getThrown()).hasMessage("task bug");
    }
  }

  @Test
  void cancelWinsEvenWhenItReachesTheLoopBeforeTheScheduling() throws Exception {
    EventLoop loop = group.loops().getFirst();
    var fired = new AtomicBoolean();
    var hold = new CountDownLatch(1);
    var cancelled = new CountDownLatch(1);
    // Keep the loop busy so the scheduling task waits in its queue.
    loop.execute(
        () -> {
          try {
            hold.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    Cancellable timer = loop.schedule(Duration.ofMillis(20), () -> fired.set(true));
    timer.cancel();
    hold.countDown();
    // A marker after the timer's deadline: by then it would have fired.
    loop.schedule(Duration.ofMillis(200), cancelled::countDown);
    assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(fired).isFalse();
  }

  @Test
  void connectionsSnapshotRefusesToBlockALoop() throws Exception {
    EventLoop loop = group.loops().getFirst();
    var failure = new CompletableFuture<Throwable>();
    loop.execute(
        () -> {
          try {
            group.registry().connections();
            failure.complete(null);
          } catch (IllegalStateException e) {
            failure.complete(e);
          }
        });
    assertThat(failure.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
    assertThat(group.registry().connectionsAsync().get(5, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void aStoppedGroupRefusesWorkInsteadOfLosingIt() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
    EventLoop loop = group.loops().getFirst();

    assertThatThrownBy(() -> loop.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    var attempt =
        Client.builder(group)
            .build()
            .connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                new RecordingProtocol());
    assertThat(attempt).isCompletedExceptionally();
  }
}
