package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  @Test
  void reservesUpToTheLimitAndNotAByteMore() {
    var budget = MemoryBudget.of(100);
    assertThat(budget.tryReserve(60)).isTrue();
    assertThat(budget.tryReserve(41)).as("refused whole, not in part").isFalse();
    assertThat(budget.reservedBytes()).isEqualTo(60);
    assertThat(budget.tryReserve(40)).isTrue();
    budget.release(100);
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void releasingMoreThanReservedIsABug() {
    var budget = MemoryBudget.of(100);
    budget.tryReserve(10);
    assertThatIllegalStateException().isThrownBy(() -> budget.release(11));
  }
}
