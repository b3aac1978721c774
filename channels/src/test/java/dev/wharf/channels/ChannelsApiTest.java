package dev.wharf.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The library API a Java server uses: authorize with its own callback, publish from code, read
 * presence and history, observe a channel; clients on embedded connections.
 */
class ChannelsApiTest {
  private final FakeClock clock = new FakeClock();
  private final EventLoopGroup unused = new EventLoopGroup(1, "channels-api-test-unused", true);

  /** The server's own sessions: a cookie-like token to a user, checked by a callback. */
  private final Map<String, String> sessions = Map.of("s3cr3t-ann", "ann", "s3cr3t-bob", "bob");

  private final Channels channels =
      Channels.create(
          ChannelsConfig.builder()
              .tokenVerifier(
                  token -> {
                    String user = sessions.get(token);
                    if (user == null) {
                      throw InvalidTokenException.invalid("no such session");
                    }
                    return ClientAuthenticator.Grant.ofPatterns(
                        user, List.of("room:*"), List.of("room:" + user), java.time.Instant.MAX);
                  })
              .build(),
          new InMemoryBroker(InMemoryBroker.HistoryPolicy.DEFAULTS, clock::nanoTime));

  @AfterEach
  void stop() {
    unused.close();
  }

  private EmbeddedClient connect(String token) {
    var client = EmbeddedClient.connect(unused, clock, channels);
    client.send("{\"op\":\"connect\",\"id\":0,\"token\":\"" + token + "\"}");
    return client;
  }

  @Test
  void anAuthorizationCallbackDecidesWhoConnectsAndWhatTheyMayDo() {
    var ann = connect("s3cr3t-ann");
    assertThat(ann.received()).singleElement().asString().endsWith("\"user\":\"ann\"}");
    ann.send("{\"op\":\"publish\",\"id\":1,\"channel\":\"room:bob\",\"data\":1}");
    assertThat(ann.received())
        .containsExactly(
            "{\"id\":1,\"error\":{\"code\":\"unauthorized\",\"message\":\"not allowed on room:bob\"}}");
    var stranger = connect("guess");
    assertThat(stranger.received())
        .containsExactly(
            "{\"id\":0,\"error\":{\"code\":\"unauthorized\",\"message\":\"no such session\"}}",
            "close 4001 unauthorized");
  }

  @Test
  void serverCodeObservesPublicationsAndPresenceAndPublishesToClients() throws Exception {
    var seen = new CopyOnWriteArrayList<String>();
    Channels.Observation observation =
        channels
            .observe(
                "room:ann",
                new ChannelObserver() {
                  @Override
                  public void publication(Publication p) {
                    seen.add(p.offset() + " " + p.data());
                  }

                  @Override
                  public void joined(ClientInfo client) {
                    seen.add("join " + client.user());
                  }

                  @Override
                  public void left(ClientInfo client) {
                    seen.add("leave " + client.user());
                  }
                })
            .get();
    var ann = connect("s3cr3t-ann");
    var bob = connect("s3cr3t-bob");
    bob.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"room:ann\"}");
    ann.send("{\"op\":\"publish\",\"id\":1,\"channel\":\"room:ann\",\"data\":{\"text\":\"hi\"}}");
    ann.received();
    bob.received();
    assertThat(channels.presence("room:ann").get())
        .extracting(ClientInfo::user)
        .containsExactly("bob");

    Publication fromCode = channels.publish("room:ann", "{\"text\":\"from the server\"}").get();
    assertThat(fromCode.offset()).isEqualTo(2);
    assertThat(bob.received())
        .singleElement()
        .asString()
        .endsWith("\"offset\":2,\"data\":{\"text\":\"from the server\"}}");
    assertThat(channels.history("room:ann", 10).get().publications())
        .extracting(Publication::data)
        .containsExactly("{\"text\":\"hi\"}", "{\"text\":\"from the server\"}");

    bob.send("{\"op\":\"unsubscribe\",\"id\":2,\"channel\":\"room:ann\"}");
    bob.received();
    observation.close();
    channels.publish("room:ann", "3").get();
    assertThat(seen)
        .containsExactly(
            "join bob", "1 {\"text\":\"hi\"}", "2 {\"text\":\"from the server\"}", "leave bob");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> channels.observe("no spaces", new ChannelObserver() {}))
        .withMessage("not a valid channel name: no spaces");
  }

  @Test
  void anObserverTheBrokerCannotTakeFailsAfterItsWaitAndIsDropped() throws Exception {
    // A broker in an outage: its subscriptions wait for it, and it does not come back.
    var away =
        new ForwardingBroker(new InMemoryBroker()) {
          @Override
          public CompletableFuture<Void> subscribe(String channel, Listener listener) {
            return new CompletableFuture<>();
          }
        };
    Channels cut = Channels.create(ChannelsConfig.builder().build(), away);

    var observing = cut.observe("room:ann", new ChannelObserver() {}, Duration.ofMillis(100));

    assertThatThrownBy(() -> observing.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(cut.activity()).isEmpty(); // nothing kept of it
  }

  @Test
  void activityCountsEachChannelsLocalMembersAndPublicationsForTheDashboard() throws Exception {
    assertThat(channels.activity()).isEmpty();
    assertThat(channels.broker().connected()).isTrue();
    var ann = connect("s3cr3t-ann");
    ann.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"room:ann\"}");
    Channels.Observation observation = channels.observe("room:ann", new ChannelObserver() {}).get();
    assertThat(channels.activity()).containsExactly(new ChannelActivity("room:ann", 2, 0));

    channels.publish("room:ann", "1").get();
    channels.publish("room:ann", "2").get();
    assertThat(channels.activity()).containsExactly(new ChannelActivity("room:ann", 2, 2));

    observation.close();
    ann.send("{\"op\":\"unsubscribe\",\"id\":2,\"channel\":\"room:ann\"}");
    assertThat(channels.activity()).isEmpty();
  }
}
