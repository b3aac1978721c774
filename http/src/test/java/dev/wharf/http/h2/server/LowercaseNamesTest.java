package dev.wharf.http.h2.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LowercaseNamesTest {

  @Test
  void namesComeOutLowercaseAndTheSameInstanceEachTime() {
    String first = LowercaseNames.of("X-Content-Type-Options");
    assertThat(first).isEqualTo("x-content-type-options");
    assertThat(LowercaseNames.of(new String("X-Content-Type-Options"))).isSameAs(first);
  }

  @Test
  void aLowercaseNameIsItself() {
    String name = new String("etag");
    assertThat(LowercaseNames.of(name)).isSameAs(name);
  }

  @Test
  void madeUpNamesPastTheBoundAreStillLowercased() {
    for (int i = 0; i < LowercaseNames.MAX_REMEMBERED + 10; i++) {
      assertThat(LowercaseNames.of("X-Made-Up-" + i)).isEqualTo("x-made-up-" + i);
    }
    assertThat(LowercaseNames.remembered()).isLessThanOrEqualTo(LowercaseNames.MAX_REMEMBERED);
  }
}
