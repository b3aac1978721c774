package dev.wharf.bench.jmh;

import dev.wharf.core.internal.TimerWheel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The event loop's {@link TimerWheel} with its real geometry (10 ms ticks, 1024 slots): scheduling
 * and cancelling a connection's reusable timer among many others, re-arming it (what every write
 * from an empty queue does while the write-stall timeout is on), and expiring 10,000 due timers.
 */
public class TimerWheelBenchmark {
  static final long TICK = TimeUnit.MILLISECONDS.toNanos(10);
  static final int SLOTS = 1024;

  /** A wheel already holding {@code background} timers, as a loop with that many connections. */
  @State(Scope.Thread)
  public static class Loaded {
    @Param({"10000"})
    public int background;

    TimerWheel wheel;
    TimerWheel.Timer[] mine;
    long[] deadlines;
    int next;

    @Setup
    public void setUp() {
      wheel = new TimerWheel(0, TICK, SLOTS);
      var random = new SplittableRandom(42);
      for (int i = 0; i < background; i++) {
        // Idle deadlines up to 5 minutes out: many rounds of the wheel.
        wheel.schedule(random.nextLong(1, TimeUnit.MINUTES.toNanos(5)), () -> {});
      }
      mine = new TimerWheel.Timer[1024];
      for (int i = 0; i < mine.length; i++) {
        mine[i] = new TimerWheel.Timer(() -> {});
      }
      deadlines = new long[4096];
      for (int i = 0; i < deadlines.length; i++) {
        deadlines[i] = random.nextLong(1, TimeUnit.SECONDS.toNanos(120));
      }
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void scheduleCancel(Loaded s) {
    int i = s.next++;
    TimerWheel.Timer t = s.mine[i & 1023];
    s.wheel.schedule(t, s.deadlines[i & 4095]);
    s.wheel.cancel(t);
  }

  /** Moving an already scheduled timer to a new deadline (unlink + link). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void reschedule(Loaded s) {
    int i = s.next++;
    s.wheel.schedule(s.mine[i & 1023], s.deadlines[i & 4095]);
  }

  /** 10,000 timers over {@code spreadTicks} ticks, all due: the cost to run them, per timer. */
  @State(Scope.Thread)
  public static class Due {
    @Param({"100", "10000"})
    public int spreadTicks;

    static final int COUNT = 10_000;
    TimerWheel wheel;
    TimerWheel.Timer[] timers;
    long[] deadlines;
    long now;
    int fired;

    @Setup(Level.Trial)
    public void make() {
      timers = new TimerWheel.Timer[COUNT];
      for (int i = 0; i < COUNT; i++) {
        timers[i] = new TimerWheel.Timer(() -> fired++);
      }
      var random = new SplittableRandom(7);
      deadlines = new long[COUNT];
      for (int i = 0; i < COUNT; i++) {
        deadlines[i] = random.nextLong(1, spreadTicks * TICK);
      }
    }

    /** A fresh wheel with the 10,000 timers scheduled; 10k schedules, well above JMH's timer. */
    @Setup(Level.Invocation)
    public void load() {
      wheel = new TimerWheel(0, TICK, SLOTS);
      for (int i = 0; i < COUNT; i++) {
        wheel.schedule(timers[i], deadlines[i]);
      }
      now = spreadTicks * TICK;
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @OperationsPerInvocation(Due.COUNT)
  public int expire10k(Due s) {
    return s.wheel.expire(s.now);
  }

  /** One connection's timer, due a whole round away: the loop's scan for its next deadline. */
  @State(Scope.Thread)
  public static class Lonely {
    TimerWheel wheel;

    @Setup
    public void setUp() {
      wheel = new TimerWheel(0, TICK, SLOTS);
      wheel.schedule(TICK * (SLOTS - 1), () -> {});
    }
  }

  /** With no timer due: what every loop turn pays to ask for the next deadline. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public long nanosUntilNextLonely(Lonely s) {
    return s.wheel.nanosUntilNext(0);
  }
}
