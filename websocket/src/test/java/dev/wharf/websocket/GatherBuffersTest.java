package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class GatherBuffersTest {

  @Test
  void arraysComeInPowersOfTwoAndAreReused() {
    var pool = new GatherBuffers();
    assertThat(pool.take(1)).hasSize(GatherBuffers.MIN_BYTES);
    assertThat(pool.take(GatherBuffers.MIN_BYTES + 1)).hasSize(2 * GatherBuffers.MIN_BYTES);
    byte[] big = pool.take(65_536);
    assertThat(big).hasSize(65_536);
    pool.giveBack(big);
    assertThat(pool.retainedBytes()).isEqualTo(65_536);
    assertThat(pool.take(40_000)).isSameAs(big);
    assertThat(pool.retainedBytes()).isZero();
    assertThat(pool.allocatedCount()).isEqualTo(3);
  }

  @Test
  void arraysOverTheLargestClassAreTheirOwnSizeAndNotKept() {
    var pool = new GatherBuffers();
    byte[] huge = pool.take(GatherBuffers.MAX_POOLED_BYTES + 1);
    assertThat(huge).hasSize(GatherBuffers.MAX_POOLED_BYTES + 1);
    pool.giveBack(huge);
    pool.giveBack(new byte[100]); // not one of ours: dropped too
    assertThat(pool.retainedBytes()).isZero();
  }

  @Test
  void whatIsKeptIsBounded() {
    var pool = new GatherBuffers();
    var lent = new ArrayList<byte[]>();
    int n = (int) (GatherBuffers.MAX_RETAINED_BYTES / GatherBuffers.MAX_POOLED_BYTES) + 3;
    for (int i = 0; i < n; i++) {
      lent.add(pool.take(GatherBuffers.MAX_POOLED_BYTES));
    }
    lent.forEach(pool::giveBack);
    assertThat(pool.retainedBytes()).isEqualTo(GatherBuffers.MAX_RETAINED_BYTES);
  }
}
