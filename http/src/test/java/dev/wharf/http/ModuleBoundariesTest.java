package dev.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.EventLoop;
import dev.wharf.http.codec.Http1ResponseDecoder;
import org.junit.jupiter.api.Test;

/**
 * What the module descriptors promise, seen from another module: core's {@code internal} package is
 * closed to dev.wharf.http even though its classes are public, the HTTP codec is exported to no one
 * but dev.wharf.websocket (its handshake) and dev.wharf.cli (wharf trace's first lines), and
 * HTTP/2's frame and HPACK codecs to dev.wharf.load alone. These tests run on the module path
 * (surefire patches them into dev.wharf.http); on the class path the first one fails, as nothing
 * would be hidden there.
 */
class ModuleBoundariesTest {
  private static final Module HTTP = Headers.class.getModule();
  private static final Module CORE = EventLoop.class.getModule();

  @Test
  void theTestsRunInsideTheNamedHttpModule() {
    assertThat(HTTP.getName()).isEqualTo("dev.wharf.http");
    assertThat(getClass().getModule()).isSameAs(HTTP);
    assertThat(CORE.getName()).isEqualTo("dev.wharf.core");
    assertThat(HTTP.canRead(CORE)).isTrue();
  }

  @Test
  void coreInternalIsNotExportedToHttp() throws ReflectiveOperationException {
    assertThat(CORE.isExported("dev.wharf.core")).isTrue();
    assertThat(CORE.isExported("dev.wharf.core.internal", HTTP)).isFalse();

    // A public constructor of a public class, and still no access: the module system refuses it.
    var constructor =
        Class.forName("dev.wharf.core.internal.BufferPool").getConstructor(int.class, int.class);
    assertThatThrownBy(() -> constructor.newInstance(1024, 1))
        .isInstanceOf(IllegalAccessException.class)
        .hasMessageContaining("does not export dev.wharf.core.internal");
  }

  @Test
  void theCodecIsExportedOnlyToWebSocketAndTheCommandLine() {
    String codec = Http1ResponseDecoder.class.getPackageName();
    assertThat(HTTP.getDescriptor().exports())
        .filteredOn(export -> export.source().equals(codec))
        .singleElement()
        .satisfies(
            export ->
                assertThat(export.targets())
                    .containsExactlyInAnyOrder("dev.wharf.websocket", "dev.wharf.cli"));
    assertThat(HTTP.isExported("dev.wharf.http.server")).isTrue();
  }

  @Test
  void http2sCodecsAreExportedOnlyToTheLoadEngineAndTheRestOfHttp2ToNoOne() {
    // The HTTP/2 connections of this module use them; wharf bench --http2 speaks HTTP/2 with them.
    assertThat(HTTP.getPackages()).contains("dev.wharf.http.h2.hpack", "dev.wharf.http.h2.frame");
    assertThat(HTTP.getDescriptor().exports())
        .filteredOn(export -> export.source().startsWith("dev.wharf.http.h2"))
        .extracting(export -> export.source() + " to " + export.targets())
        .containsExactlyInAnyOrder(
            "dev.wharf.http.h2.frame to [dev.wharf.load]",
            "dev.wharf.http.h2.hpack to [dev.wharf.load]");
  }
}
