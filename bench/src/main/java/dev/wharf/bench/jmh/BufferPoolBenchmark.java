package dev.wharf.bench.jmh;

import dev.wharf.core.internal.BufferPool;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a write-queue segment costs: taken from and given back to the loop's {@link BufferPool},
 * against a fresh {@link ByteBuffer#allocateDirect} each time (zeroed by the JDK, freed later by a
 * cleaner after GC, which the allocation rate pays for in the steady state).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BufferPoolBenchmark {
  @Param({"16384"})
  public int size;

  private BufferPool pool;

  @Setup
  public void setUp() {
    pool = new BufferPool(size, 1024);
    pool.release(pool.acquire());
  }

  @Benchmark
  public void poolAcquireRelease(Blackhole bh) {
    ByteBuffer b = pool.acquire();
    b.put(0, (byte) 1);
    bh.consume(b);
    pool.release(b);
  }

  /** Four held at once, as a connection with a 64 KiB queue has. */
  @Benchmark
  public void poolAcquireFourReleaseFour(Blackhole bh) {
    ByteBuffer a = pool.acquire();
    ByteBuffer b = pool.acquire();
    ByteBuffer c = pool.acquire();
    ByteBuffer d = pool.acquire();
    bh.consume(a);
    bh.consume(b);
    bh.consume(c);
    bh.consume(d);
    pool.release(d);
    pool.release(c);
    pool.release(b);
    pool.release(a);
  }

  @Benchmark
  public void allocateDirect(Blackhole bh) {
    ByteBuffer b = ByteBuffer.allocateDirect(size);
    b.put(0, (byte) 1);
    bh.consume(b);
  }

  /** A heap buffer, for scale: allocation is cheap but the JVM zeroes it too. */
  @Benchmark
  public void allocateHeap(Blackhole bh) {
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(0, (byte) 1);
    bh.consume(b);
  }
}
