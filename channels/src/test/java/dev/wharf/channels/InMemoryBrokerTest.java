package dev.wharf.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The in-memory broker's promises (Broker's Javadoc), on a fake clock. */
class InMemoryBrokerTest {
  private final FakeClock clock = new FakeClock();

  @Test
  @Timeout(60)
  void concurrentPublishersGetConsecutiveOffsetsHeardInOrder() throws Exception {
    var broker =
        new InMemoryBroker(
            new InMemoryBroker.HistoryPolicy(10, Duration.ofMinutes(1)), clock::nanoTime);
    var heard = new ArrayList<Long>();
    broker.subscribe("c", p -> heard.add(p.offset())).join(); // under the channel's lock
    int threads = 4;
    int each = 5000;
    var start = new CountDownLatch(1);
    var workers = new ArrayList<Thread>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    for (int i = 0; i < each; i++) {
                      broker.publish("c", "1");
                    }
                  }));
    }
    start.countDown();
    for (Thread worker : workers) {
      assertThat(worker.join(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(heard).hasSize(threads * each);
    for (int i = 0; i < heard.size(); i++) {
      assertThat(heard.get(i)).isEqualTo(i + 1L);
    }
    History history = broker.history("c", OptionalLong.empty(), 100).join();
    assertThat(history.top().offset()).isEqualTo(threads * each);
    assertThat(history.publications()).hasSize(10);
    assertThat(history.oldestKept()).isEqualTo(threads * each - 9);
  }

  @Test
  void aForgottenChannelComesBackWithANewEpoch() {
    var broker =
        new InMemoryBroker(
            new InMemoryBroker.HistoryPolicy(10, Duration.ofSeconds(5)), clock::nanoTime);
    Publication first = broker.publish("c", "1").join();
    assertThat(first.offset()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(6));
    History expired = broker.history("c", OptionalLong.of(0), 10).join();
    assertThat(expired.publications()).isEmpty();
    // The history expired and nobody holds the channel: forgotten, with its epoch and offsets.
    assertThat(broker.channelCount()).isZero();
    Publication again = broker.publish("c", "2").join();
    assertThat(again.epoch()).isNotEqualTo(first.epoch());
    assertThat(again.offset()).isEqualTo(1);
  }

  @Test
  void historyAfterAnOffsetAndTheNewest() {
    var broker = new InMemoryBroker();
    for (int i = 1; i <= 5; i++) {
      broker.publish("c", Integer.toString(i));
    }
    assertThat(broker.history("c", OptionalLong.of(2), 2).join().publications())
        .extracting(Publication::offset)
        .containsExactly(3L, 4L);
    assertThat(broker.history("c", OptionalLong.empty(), 2).join().publications())
        .extracting(Publication::data)
        .containsExactly("4", "5");
    assertThat(broker.history("c", OptionalLong.empty(), 0).join().top().offset()).isEqualTo(5);
  }

  @Test
  void presenceJoinsAndLeavesAreHeard() throws Exception {
    var broker = new InMemoryBroker();
    var events = new ArrayList<String>();
    var done = new CountDownLatch(2);
    broker.subscribe(
        "c",
        new Broker.Listener() {
          @Override
          public void publication(Publication publication) {}

          @Override
          public void joined(String channel, ClientInfo client) {
            events.add("join " + client.client());
            done.countDown();
          }

          @Override
          public void left(String channel, ClientInfo client) {
            events.add("leave " + client.client());
            done.countDown();
          }
        });
    var ann = new ClientInfo("1", "ann");
    broker.join("c", ann);
    assertThat(broker.presence("c").join()).containsExactly(ann);
    broker.leave("c", ann);
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(events).isEqualTo(List.of("join 1", "leave 1"));
    assertThat(broker.presence("c").join()).isEmpty();
  }
}
