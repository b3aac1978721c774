package dev.wharf.websocket;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.ConnectionTimeoutException;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.testkit.DeafListener;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How {@link WebSocketClient} connects before any handshake: its own connect deadline. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebSocketClientConnectIT {
  private static final EventLoopGroup group = new EventLoopGroup(1, "ws-connect-it", true);

  @AfterAll
  static void stop() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aConnectNobodyAnswersFailsAtTheBuildersConnectTimeout() throws Exception {
    var client = WebSocketClient.builder(group).connectTimeout(Duration.ofMillis(300)).build();
    try (var deaf = DeafListener.open()) {
      var listener = new RecordingListener();
      var attempt = client.connect(URI.create("ws://127.0.0.1:" + deaf.port() + "/"), listener);
      assertThatThrownBy(() -> attempt.get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(ConnectionTimeoutException.class)
          .hasMessageStartingWith("connect timed out after 300 ms"); // Not the 10 s default.
    }
  }
}
