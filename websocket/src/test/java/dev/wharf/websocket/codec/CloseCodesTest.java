package dev.wharf.websocket.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CloseCodesTest {

  @Test
  void registeredCodesAreDescribedWithTheirNames() {
    assertThat(CloseCodes.describe(CloseCodes.NORMAL)).isEqualTo("1000 (normal)");
    assertThat(CloseCodes.describe(CloseCodes.GOING_AWAY)).isEqualTo("1001 (going away)");
    assertThat(CloseCodes.describe(CloseCodes.ABNORMAL))
        .isEqualTo("1006 (abnormal: no Close frame)");
    assertThat(CloseCodes.describe(CloseCodes.BAD_GATEWAY)).isEqualTo("1014 (bad gateway)");
  }

  @Test
  void everyCodeValidOnTheWireBelow3000HasAName() {
    for (int code = 1000; code < 3000; code++) {
      if (CloseCodes.isValidOnWire(code)) {
        assertThat(CloseCodes.name(code)).as("code %d", code).isPresent();
      }
    }
  }

  @Test
  void applicationCodesHaveNoName() {
    assertThat(CloseCodes.name(4001)).isEmpty();
    assertThat(CloseCodes.describe(4001)).isEqualTo("4001");
    assertThat(CloseCodes.describe(1015)).isEqualTo("1015");
  }
}
