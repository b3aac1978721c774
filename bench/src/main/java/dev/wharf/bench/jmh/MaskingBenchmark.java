package dev.wharf.bench.jmh;

import dev.wharf.websocket.codec.Masking;
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

/**
 * Unmasking a WebSocket payload in place (RFC 6455 §5.3), as the frame reader does with the event
 * loop's direct read buffer (big-endian, as every new {@link ByteBuffer} is), in a heap buffer and
 * in an array. {@code from} 3 starts the range off an 8-byte boundary.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MaskingBenchmark {
  @Param({"65536"})
  public int size;

  @Param({"0", "3"})
  public int from;

  private ByteBuffer direct;
  private ByteBuffer heap;
  private byte[] array;

  @Setup
  public void setUp() {
    direct = ByteBuffer.allocateDirect(size + 8);
    heap = ByteBuffer.allocate(size + 8);
    array = new byte[size + 8];
  }

  @Benchmark
  public ByteBuffer directBuffer() {
    Masking.mask(direct, from, from + size, 0x37FA213D, 1);
    return direct;
  }

  @Benchmark
  public ByteBuffer heapBuffer() {
    Masking.mask(heap, from, from + size, 0x37FA213D, 1);
    return heap;
  }

  @Benchmark
  public byte[] byteArray() {
    Masking.mask(array, from, from + size, 0x37FA213D, 1);
    return array;
  }
}
