package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.http.codec.Http1RequestEncoder;
import org.junit.jupiter.api.Test;

/**
 * dev.wharf.websocket as the module system sees it in its own tests (surefire patches them into the
 * module on the module path): it reads the HTTP codec through http's qualified export, and it may
 * call the system zlib without a warning, as a launcher must allow it to.
 */
class ModuleBoundariesTest {
  private static final Module WEBSOCKET = WebSocket.class.getModule();

  @Test
  void theHttpCodecIsExportedToThisModuleOnly() {
    Module http = Http1RequestEncoder.class.getModule();
    String codec = Http1RequestEncoder.class.getPackageName();
    assertThat(WEBSOCKET.getName()).isEqualTo("dev.wharf.websocket");
    assertThat(http.isExported(codec, WEBSOCKET)).isTrue();
    assertThat(http.isExported(codec)).isFalse();
  }

  @Test
  void nativeAccessIsEnabledForTheDeflater() {
    // Granted by --enable-native-access=dev.wharf.websocket (wharf.native.access in the pom);
    // without it ZlibDeflater's first call prints a warning into a build that must print none.
    assertThat(WEBSOCKET.isNativeAccessEnabled()).isTrue();
  }
}
