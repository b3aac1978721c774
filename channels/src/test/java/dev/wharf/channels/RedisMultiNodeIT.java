package dev.wharf.channels;

import dev.wharf.channels.redis.RedisBroker;
import dev.wharf.testkit.RedisServer;
import org.junit.jupiter.api.BeforeEach;

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
}
