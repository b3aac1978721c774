package dev.wharf.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.channels.redis.RedisBroker;
import dev.wharf.testkit.RedisServer;
import java.util.ArrayList;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one Redis of the test's own, started without persistence: a kill and restart loses
 * every channel, so subscribers must be told {@code recovered:false}.
 */
class RedisMultiNodeIT extends MultiNodeContract {
  private RedisServer redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @Override
  void stopBroker() {
    redis.close();
  }

  @Override
  Broker connect() {
    return new RedisBroker(redis.uri(), POLICY, PRESENCE_TTL);
  }

  @Override
  void killBroker() throws Exception {
    redis.kill();
  }

  @Override
  void restartBroker() throws Exception {
    redis.restart();
  }

  @Override
  boolean keepsHistoryOverRestart() {
    return false;
  }

  /**
   * Far more calls at once than Jedis's pool has connections, as when hundreds of clients subscribe
   * together (bench/fanout): every one completes. Waiting inside the pool instead once pinned every
   * carrier thread and the node never answered again.
   */
  @Test
  void hundredsOfCallsAtOnceAllComplete() throws Exception {
    try (Broker broker = connect()) {
      var calls = new ArrayList<CompletableFuture<?>>();
      for (int i = 0; i < 400; i++) {
        calls.add(broker.join("crowd", new ClientInfo("c" + i, "")));
        calls.add(broker.history("crowd", OptionalLong.empty(), 10));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
      assertThat(broker.presence("crowd").get(30, TimeUnit.SECONDS)).hasSize(400);
    }
  }
}
