package dev.wharf.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
  private static final long TICK = 10;

  private final List<String> fired = new ArrayList<>();
  private final TimerWheel wheel = new TimerWheel(0, TICK, 8);

  private Runnable record(String name) {
    return () -> fired.add(name);
  }

  @Test
  void timerNeverFiresBeforeItsDeadline() {
    wheel.schedule(25, record("a"));
    wheel.expire(24);
    assertThat(fired).isEmpty();
    wheel.expire(29);
    assertThat(fired).isEmpty();
    wheel.expire(30);
    assertThat(fired).containsExactly("a");
  }

  @Test
  void timerFiresAtMostOneTickLate() {
    var random = new Random(42);
    for (int i = 0; i < 200; i++) {
      var wheel = new TimerWheel(0, TICK, 8);
      long deadline = random.nextInt(1000);
      long[] firedAt = {-1};
      long[] now = {0};
      wheel.schedule(deadline, () -> firedAt[0] = now[0]);
      for (now[0] = 0; now[0] <= 1100 && firedAt[0] < 0; now[0]++) {
        wheel.expire(now[0]);
      }
      assertThat(firedAt[0]).isBetween(deadline, deadline + TICK);
    }
  }

  @Test
  void timersBeyondOneRoundWaitForTheirRound() {
    wheel.schedule(8 * TICK * 3 + 5, record("late"));
    wheel.expire(8 * TICK * 2);
    assertThat(fired).isEmpty();
    wheel.expire(8 * TICK * 3 + 10);
    assertThat(fired).containsExactly("late");
  }

  @Test
  void scheduleByOnlyEverMovesATimerEarlier() {
    var timer = new TimerWheel.Timer(record("a"));
    wheel.scheduleBy(timer, 45); // Not scheduled: schedules it.
    wheel.scheduleBy(timer, 70); // Already due by then: stays at 45.
    wheel.expire(50);
    assertThat(fired).containsExactly("a");

    fired.clear();
    wheel.scheduleBy(timer, 200);
    wheel.scheduleBy(timer, 90); // Earlier: moves.
    wheel.expire(89);
    assertThat(fired).isEmpty();
    wheel.expire(90);
    assertThat(fired).containsExactly("a");
    assertThat(wheel.size()).isZero();
  }

  @Test
  void cancelledTimerDoesNotFire() {
    var timer = wheel.schedule(15, record("a"));
    wheel.schedule(15, record("b"));
    wheel.cancel(timer);
    wheel.expire(100);
    assertThat(fired).containsExactly("b");
    assertThat(wheel.size()).isZero();
  }

  @Test
  void rescheduleMovesTheTimer() {
    var timer = new TimerWheel.Timer(record("moved"));
    wheel.schedule(timer, 15);
    wheel.schedule(timer, 55);
    wheel.expire(40);
    assertThat(fired).isEmpty();
    wheel.expire(60);
    assertThat(fired).containsExactly("moved");
    assertThat(wheel.size()).isZero();
  }

  @Test
  void aLongSleepFiresEverythingDueOnce() {
    for (int i = 0; i < 50; i++) {
      wheel.schedule(i * 7L, record("t" + i));
    }
    wheel.expire(10_000);
    assertThat(fired).hasSize(50).doesNotHaveDuplicates();
  }

  @Test
  void aTimerScheduledWhileFiringRunsLaterNotNow() {
    wheel.schedule(10, () -> wheel.schedule(10, record("again")));
    wheel.expire(10);
    assertThat(fired).isEmpty();
    wheel.expire(20);
    assertThat(fired).containsExactly("again");
  }

  @Test
  void nanosUntilNextPointsAtTheFirstBusySlot() {
    assertThat(wheel.nanosUntilNext(0)).isEqualTo(-1);
    wheel.schedule(35, record("a"));
    assertThat(wheel.nanosUntilNext(3)).isEqualTo(37);
  }
}
