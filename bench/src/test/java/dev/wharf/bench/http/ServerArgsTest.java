package dev.wharf.bench.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every server main's flags, parsed by one {@link ServerArgs}. */
class ServerArgsTest {
  private static final ServerArgs.Spec SPEC =
      ServerArgs.Spec.of(ServerArgsTest.class, 7500)
          .withPaths("--cert")
          .withSwitches("--deflate")
          .withCheck(a -> ServerArgs.require(!a.host().isEmpty(), "--host must not be empty"));

  @Test
  void takesTheCommonFlagsAndTheMainsOwn() {
    ServerArgs a =
        ServerArgs.parse(
            new String[] {"--impl", "netty-epoll", "--port", "0", "--cert", "c.pem", "--deflate"},
            SPEC);
    assertThat(a.impl()).isEqualTo("netty-epoll");
    assertThat(a.host()).isEqualTo("127.0.0.1");
    assertThat(a.port()).isZero();
    assertThat(a.loops()).isEqualTo(1);
    assertThat(a.path("--cert")).isEqualTo(Path.of("c.pem"));
    assertThat(a.has("--deflate")).isTrue();
  }

  @Test
  void defaultsThePortAndLeavesSwitchesOff() {
    ServerArgs a = ServerArgs.parse(new String[] {"--impl", "wharf", "--cert", "c.pem"}, SPEC);
    assertThat(a.port()).isEqualTo(7500);
    assertThat(a.has("--deflate")).isFalse();
  }

  @Test
  void refusesWhatTheMainDoesNotTake() {
    assertThatThrownBy(() -> parse("--impl", "wharf", "--cert", "c", "--dir", "d"))
        .hasMessage("unknown argument --dir");
    assertThatThrownBy(() -> parse("--impl", "nginx", "--cert", "c"))
        .hasMessage("--impl must be one of [wharf, netty-nio, netty-epoll]");
    assertThatThrownBy(() -> parse("--impl", "wharf", "--cert", "c", "--loops", "0"))
        .hasMessage("--port must be 0-65535 and --loops at least 1");
    assertThatThrownBy(() -> parse("--impl", "wharf")).hasMessage("--cert is required");
    assertThatThrownBy(() -> parse("--impl", "wharf", "--cert", "c", "--host", ""))
        .hasMessage("--host must not be empty");
    assertThatThrownBy(() -> parse("--impl", "wharf", "--cert"))
        .isInstanceOf(ArrayIndexOutOfBoundsException.class);
  }

  @Test
  void usageNamesEveryFlag() {
    assertThat(SPEC.usage())
        .isEqualTo(
            "ServerArgsTest --impl wharf|netty-nio|netty-epoll --cert PATH [--host 127.0.0.1]"
                + " [--port 7500] [--loops 1] [--deflate]");
  }

  private static ServerArgs parse(String... args) {
    return ServerArgs.parse(args, SPEC);
  }
}
