package dev.wharf.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BufferPoolTest {

  @Test
  void releasedBuffersAreReusedCleared() {
    var pool = new BufferPool(1024, 4);
    var buffer = pool.acquire();
    buffer.put((byte) 1).flip();
    pool.release(buffer);
    var again = pool.acquire();
    assertThat(again).isSameAs(buffer);
    assertThat(again.position()).isZero();
    assertThat(again.limit()).isEqualTo(1024);
    assertThat(pool.allocatedCount()).isEqualTo(1);
  }

  @Test
  void poolKeepsNoMoreThanItsLimit() {
    var pool = new BufferPool(64, 2);
    var a = pool.acquire();
    var b = pool.acquire();
    var c = pool.acquire();
    pool.release(a);
    pool.release(b);
    pool.release(c);
    assertThat(pool.freeCount()).isEqualTo(2);
    assertThat(pool.acquire().isDirect()).isTrue();
  }
}
