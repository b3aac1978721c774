package dev.wharf.channels;

import dev.wharf.channels.nats.NatsBroker;
import dev.wharf.testkit.NatsServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one NATS server with JetStream of the test's own, storing on disk: a kill and
 * restart keeps the history, so subscribers recover everything; a restart without the storage loses
 * it, so they are told they cannot.
 */
class NatsMultiNodeIT extends MultiNodeContract {
  private NatsServer nats;

  @BeforeEach
  void startNats() throws Exception {
    nats = NatsServer.start(dir);
  }

  @Override
  void stopBroker() {
    nats.close();
  }

  @Override
  Broker connect() throws Exception {
    return NatsBroker.connect(nats.uri(), POLICY, PRESENCE_TTL);
  }

  @Override
  void killBroker() throws Exception {
    nats.kill();
  }

  @Override
  void restartBroker() throws Exception {
    nats.restart();
  }

  @Override
  boolean keepsHistoryOverRestart() {
    return true;
  }

  @Test
  void aServerThatLostItsStorageStartsANewEpochAndSubscribersAreToldTheyCannotRecover()
      throws Exception {
    killAndRestartWhilePublishing(nats::restartWithoutStorage, false);
  }
}
