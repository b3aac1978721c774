package dev.wharf.core;

import static dev.wharf.core.BlockingPeer.connect;
import static dev.wharf.core.BlockingPeer.echoes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.CapturedLog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No {@link Throwable} ends an event loop or the accept path: an {@link Error} from a task, a
 * timer, a protocol or the making of one is logged and survived, also when logging itself throws
 * (as java.util.logging does when out of descriptors).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoopSurvivesIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "survive-test", true);
  private final EventLoop loop = group.loops().getFirst();

  @AfterEach
  void shutDown() {
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
  }

  @Test
  void aTaskThrowingAnErrorDoesNotStopTheLoop() throws Exception {
    try (var log = CapturedLog.under("dev.wharf.core")) {
      loop.execute(
          () -> {
            throw new StackOverflowError("task");
          });
      assertThat(stillRunsTasks()).isTrue();
      assertThat(log.messages()).anyMatch(m -> m.contains("a task failed"));
    }
  }

  @Test
  void aTimerThrowingAnErrorDoesNotStopTheLoop() throws Exception {
    try (var log = CapturedLog.under("dev.wharf.core")) {
      var after = new CompletableFuture<Boolean>();
      loop.schedule(
          Duration.ofMillis(1),
          () -> {
            throw new OutOfMemoryError("timer");
          });
      loop.schedule(Duration.ofMillis(50), () -> after.complete(true));
      assertThat(after.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(log.messages()).anyMatch(m -> m.contains("a scheduled task failed"));
    }
  }

  @Test
  void aProtocolErrorWhileLoggingFailsClosesOnlyItsConnection() throws Exception {
    var thrown = new AtomicBoolean();
    try (var log = CapturedLog.failingUnder("dev.wharf.core");
        Server server =
            Server.builder(group)
                .bind(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    () ->
                        new EchoProtocol() {
                          @Override
                          public void received(Connection connection, ByteBuffer data) {
                            if (thrown.compareAndSet(false, true)) {
                              throw new OutOfMemoryError("one peer's message");
                            }
                            super.received(connection, data);
                          }
                        })) {
      try (Socket failing = connect(server)) {
        failing.getOutputStream().write('x');
        assertThat(failing.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(echoes(server, "still here")).isTrue();
      assertThat(stillRunsTasks()).isTrue();
      assertThat(log.messages()).anyMatch(m -> m.contains("failed on connection"));
    }
  }

  @Test
  void anErrorMakingAProtocolLeavesTheListenerOpen() throws Exception {
    var thrown = new AtomicBoolean();
    try (var log = CapturedLog.under("dev.wharf.core");
        Server server =
            Server.builder(group)
                .bind(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    () -> {
                      if (thrown.compareAndSet(false, true)) {
                        throw new NoClassDefFoundError("a class that could not load");
                      }
                      return new EchoProtocol();
                    })) {
      try (Socket refused = connect(server)) {
        assertThat(refused.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(echoes(server, "next one")).isTrue();
      assertThat(server.connectionCount()).isLessThanOrEqualTo(1);
      assertThat(log.messages()).anyMatch(m -> m.contains("could not start"));
    }
  }

  private boolean stillRunsTasks() throws Exception {
    var after = new CompletableFuture<Boolean>();
    loop.execute(() -> after.complete(loop.inEventLoop()));
    return after.get(5, TimeUnit.SECONDS);
  }
}
