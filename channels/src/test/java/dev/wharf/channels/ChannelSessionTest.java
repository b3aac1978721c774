package dev.wharf.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The protocol end to end on embedded connections with a fake clock: no socket, no thread; the
 * mailbox drains when the test runs the connection's tasks.
 */
class ChannelSessionTest {
  private final FakeClock clock = new FakeClock();
  private final EventLoopGroup unused = new EventLoopGroup(1, "channels-test-unused", true);
  private InMemoryBroker broker =
      new InMemoryBroker(InMemoryBroker.HistoryPolicy.DEFAULTS, clock::nanoTime);
  private Channels channels = Channels.create(ChannelsConfig.DEFAULTS, broker);

  @AfterEach
  void stop() {
    unused.close();
  }

  private EmbeddedClient client() {
    return EmbeddedClient.connect(unused, clock, channels);
  }

  private void use(ChannelsConfig config, InMemoryBroker.HistoryPolicy history) {
    broker = new InMemoryBroker(history, clock::nanoTime);
    channels = Channels.create(config, broker);
  }

  private static String epochOf(String message) {
    Matcher m = Pattern.compile("\"epoch\":\"([^\"]+)\"").matcher(message);
    assertThat(m.find()).as("an epoch in %s", message).isTrue();
    return m.group(1);
  }

  private static String delivery(String epoch, long offset, String data) {
    return "{\"channel\":\"news\",\"epoch\":\""
        + epoch
        + "\",\"offset\":"
        + offset
        + ",\"data\":"
        + data
        + "}";
  }

  private static String publish(int id, String data) {
    return "{\"op\":\"publish\",\"id\":" + id + ",\"channel\":\"news\",\"data\":" + data + "}";
  }

  @Test
  void aPingIsAnsweredWithItsIdAsWritten() {
    var a = client();
    a.send("{\"op\":\"ping\",\"id\":6}");
    a.send("{\"id\":\"x-1\",\"op\":\"ping\"}");
    assertThat(a.received())
        .containsExactly("{\"id\":6,\"ok\":true}", "{\"id\":\"x-1\",\"ok\":true}");
  }

  @Test
  void aPublicationReachesSubscribersByteForByteWithConsecutiveOffsets() {
    var a = client();
    var b = client();
    a.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    String reply = a.received().get(0);
    String epoch = epochOf(reply);
    assertThat(reply).isEqualTo("{\"id\":1,\"ok\":true,\"epoch\":\"" + epoch + "\",\"offset\":0}");

    String data = "{ \"x\" : [1, 2.50, 1e2, \"\\u00e9é\"],\n \"n\":null }";
    b.send(publish(3, data));
    b.send(publish(4, "\"two\""));
    b.send(publish(5, "3"));
    assertThat(b.received())
        .containsExactly(
            "{\"id\":3,\"ok\":true,\"epoch\":\"" + epoch + "\",\"offset\":1}",
            "{\"id\":4,\"ok\":true,\"epoch\":\"" + epoch + "\",\"offset\":2}",
            "{\"id\":5,\"ok\":true,\"epoch\":\"" + epoch + "\",\"offset\":3}");
    assertThat(a.received())
        .containsExactly(
            delivery(epoch, 1, data), delivery(epoch, 2, "\"two\""), delivery(epoch, 3, "3"));
  }

  @Test
  void historyGivesTheNewestInOffsetOrder() {
    var a = client();
    for (int i = 1; i <= 5; i++) {
      a.send(publish(i, "{\"n\":" + i + "}"));
    }
    String epoch = epochOf(a.received().get(0));
    a.send("{\"op\":\"history\",\"id\":9,\"channel\":\"news\",\"limit\":2}");
    assertThat(a.received())
        .containsExactly(
            "{\"id\":9,\"ok\":true,\"epoch\":\""
                + epoch
                + "\",\"offset\":5,\"publications\":[{\"offset\":4,\"data\":{\"n\":4}},"
                + "{\"offset\":5,\"data\":{\"n\":5}}]}");
  }

  @Test
  void historyKeepsTheLastNForAtMostT() {
    use(ChannelsConfig.DEFAULTS, new InMemoryBroker.HistoryPolicy(3, Duration.ofSeconds(10)));
    var a = client();
    for (int i = 1; i <= 5; i++) {
      a.send(publish(i, Integer.toString(i)));
    }
    a.received();
    a.send("{\"op\":\"history\",\"id\":1,\"channel\":\"news\"}");
    assertThat(a.received().get(0))
        .endsWith(
            "\"offset\":5,\"publications\":[{\"offset\":3,\"data\":3},{\"offset\":4,\"data\":4},{\"offset\":5,\"data\":5}]}");
    clock.advance(Duration.ofSeconds(11));
    a.send("{\"op\":\"subscribe\",\"id\":2,\"channel\":\"news\"}");
    a.send("{\"op\":\"history\",\"id\":3,\"channel\":\"news\"}");
    // Expired, but the channel had a subscriber: same epoch, offset kept.
    assertThat(a.received().get(1)).endsWith("\"offset\":5,\"publications\":[]}");
  }

  @Test
  void aReconnectingClientRecoversExactlyWhatItMissedBeforeNewPublications() {
    var a = client();
    var publisher = client();
    a.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    publisher.send(publish(1, "1"));
    publisher.send(publish(2, "2"));
    String epoch = epochOf(publisher.received().get(0));
    assertThat(a.received()).hasSize(3);
    a.connection.close(); // gone, having seen offset 2
    a.received();
    for (int i = 3; i <= 5; i++) {
      publisher.send(publish(i, Integer.toString(i)));
    }
    var again = client();
    again.send(
        "{\"op\":\"subscribe\",\"id\":7,\"channel\":\"news\",\"since\":{\"epoch\":\""
            + epoch
            + "\",\"offset\":2}}");
    publisher.send(publish(6, "6"));
    assertThat(again.received())
        .containsExactly(
            "{\"id\":7,\"ok\":true,\"epoch\":\"" + epoch + "\",\"offset\":5,\"recovered\":true}",
            delivery(epoch, 3, "3"),
            delivery(epoch, 4, "4"),
            delivery(epoch, 5, "5"),
            delivery(epoch, 6, "6"));
  }

  @Test
  void recoveryPastTheHistoryIsRefusedPlainlyAndTheSubscriptionGoesOnLive() {
    use(ChannelsConfig.DEFAULTS, new InMemoryBroker.HistoryPolicy(3, Duration.ofMinutes(5)));
    var a = client();
    a.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    for (int i = 1; i <= 6; i++) {
      a.send(publish(10 + i, Integer.toString(i)));
    }
    String epoch = epochOf(a.received().get(0));
    var b = client();
    b.send(
        "{\"op\":\"subscribe\",\"id\":2,\"channel\":\"news\",\"since\":{\"epoch\":\""
            + epoch
            + "\",\"offset\":1}}");
    a.send(publish(20, "7"));
    assertThat(b.received())
        .containsExactly(
            "{\"id\":2,\"ok\":true,\"epoch\":\""
                + epoch
                + "\",\"offset\":6,\"recovered\":false,\"reason\":{\"code\":\"too_old\","
                + "\"message\":\"publications after offset 1 are no longer kept (the oldest kept"
                + " is 4)\"}}",
            delivery(epoch, 7, "7"));
  }

  @Test
  void anotherEpochCannotBeRecovered() {
    var a = client();
    a.send(
        "{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\",\"since\":{\"epoch\":\"gone\",\"offset\":3}}");
    assertThat(a.received().get(0))
        .contains("\"offset\":0,\"recovered\":false,\"reason\":{\"code\":\"too_old\"")
        .contains("history was lost: epoch gone is now");
  }

  /**
   * A broker whose history answers wait for the test: publications arrive live while the session
   * still waits for the history, which may (read late) or may not (read early) hold them too.
   */
  private static final class SteppingBroker extends ForwardingBroker {
    final List<Runnable> held = new ArrayList<>();
    final boolean readEarly;

    SteppingBroker(Broker inner, boolean readEarly) {
      super(inner);
      this.readEarly = readEarly;
    }

    @Override
    public CompletableFuture<History> history(String channel, OptionalLong after, int limit) {
      var answer = new CompletableFuture<History>();
      CompletableFuture<History> early = readEarly ? inner.history(channel, after, limit) : null;
      held.add(
          () ->
              (early != null ? early : inner.history(channel, after, limit))
                  .thenAccept(answer::complete));
      return answer;
    }
  }

  @ParameterizedTest(name = "history read {0}")
  @CsvSource({"before the live publications, true", "after the live publications, false"})
  void publicationsArrivingWhileTheHistoryIsReadAreDeliveredOnceInOrder(
      String when, boolean early) {
    var stepping = new SteppingBroker(broker, early);
    channels = Channels.create(ChannelsConfig.DEFAULTS, stepping);
    var publisher = client();
    for (int i = 1; i <= 4; i++) {
      publisher.send(publish(i, Integer.toString(i)));
    }
    String epoch = epochOf(publisher.received().get(0));
    var a = client();
    a.send(
        "{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\",\"since\":{\"epoch\":\""
            + epoch
            + "\",\"offset\":2}}");
    publisher.send(publish(5, "5"));
    publisher.send(publish(6, "6"));
    assertThat(a.received()).as("nothing before the reply").isEmpty();
    stepping.held.forEach(Runnable::run);
    publisher.send(publish(7, "7"));
    List<String> got = a.received();
    assertThat(got.get(0))
        .isEqualTo(
            "{\"id\":1,\"ok\":true,\"epoch\":\""
                + epoch
                + "\",\"offset\":"
                + (early ? 4 : 6)
                + ",\"recovered\":true}");
    assertThat(got.subList(1, got.size()))
        .containsExactly(
            delivery(epoch, 3, "3"),
            delivery(epoch, 4, "4"),
            delivery(epoch, 5, "5"),
            delivery(epoch, 6, "6"),
            delivery(epoch, 7, "7"));
  }

  @Test
  void presenceListsSubscribersAndTellsJoinsAndLeaves() {
    var a = client();
    var b = client();
    a.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    assertThat(a.received()).hasSize(1); // the reply; no event of its own join
    b.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    b.received();
    List<String> joined = a.received();
    assertThat(joined)
        .singleElement()
        .asString()
        .startsWith("{\"channel\":\"news\",\"join\":{\"client\":\"");
    String bId = joined.get(0).replaceAll(".*\"client\":\"([^\"]+)\".*", "$1");
    assertThat(joined.get(0))
        .isEqualTo("{\"channel\":\"news\",\"join\":{\"client\":\"" + bId + "\",\"user\":\"\"}}");
    b.send("{\"op\":\"presence\",\"id\":9,\"channel\":\"news\"}");
    String bList = b.received().get(0);
    String aId = bList.replaceAll(".*\"clients\":\\[\\{\"client\":\"([^\"]+)\".*", "$1");
    a.send("{\"op\":\"presence\",\"id\":2,\"channel\":\"news\"}");
    assertThat(a.received())
        .containsExactly(
            "{\"id\":2,\"ok\":true,\"clients\":[{\"client\":\""
                + aId
                + "\",\"user\":\"\"},{\"client\":\""
                + bId
                + "\",\"user\":\"\"}]}");
    b.connection.close();
    b.received();
    assertThat(a.received())
        .containsExactly(
            "{\"channel\":\"news\",\"leave\":{\"client\":\"" + bId + "\",\"user\":\"\"}}");
    a.send("{\"op\":\"unsubscribe\",\"id\":3,\"channel\":\"news\"}");
    assertThat(a.received()).containsExactly("{\"id\":3,\"ok\":true}");
    a.send("{\"op\":\"presence\",\"id\":4,\"channel\":\"news\"}");
    assertThat(a.received()).containsExactly("{\"id\":4,\"ok\":true,\"clients\":[]}");
  }

  @Test
  void subscriptionWithoutJoinLeaveGetsPublicationsButNoPresenceEvents() {
    var quiet = client();
    var other = client();
    quiet.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\",\"joinLeave\":false}");
    assertThat(quiet.received()).singleElement().asString().startsWith("{\"id\":1,\"ok\":true");
    other.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    other.received();
    other.send("{\"op\":\"publish\",\"id\":2,\"channel\":\"news\",\"data\":7}");
    other.received();
    other.connection.close();
    // No join, no leave: only the publication.
    assertThat(quiet.received()).singleElement().asString().endsWith(",\"offset\":1,\"data\":7}");
    // It is still in the presence list: the flag is about what it hears, not whether it is seen.
    quiet.send("{\"op\":\"presence\",\"id\":3,\"channel\":\"news\"}");
    assertThat(quiet.received()).singleElement().asString().contains("\"clients\":[{\"client\":");
  }

  @Test
  void joinLeaveMustBeABoolean() {
    var a = client();
    a.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\",\"joinLeave\":\"no\"}");
    assertThat(a.received())
        .containsExactly(
            "{\"id\":1,\"error\":{\"code\":\"bad_request\",\"message\":\"\\\"joinLeave\\\" must be"
                + " true or false\"}}");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          not JSON               | hello                                                 | {"error":{"code":"bad_request","message":"malformed JSON: Unrecognized token 'hello': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') at character 0"}}
          not an object          | [1,2]                                                 | {"error":{"code":"bad_request","message":"a message must be a JSON object"}}
          cut short              | {"op":"ping","id":1                                   | {"error":{"code":"bad_request","message":"malformed JSON: Unexpected end-of-input: expected close marker for Object at character 19"}}
          two objects            | {"op":"ping","id":1} {}                               | {"error":{"code":"bad_request","message":"a message must be one JSON object, with nothing after it"}}
          duplicate field        | {"op":"ping","id":1,"id":2}                           | {"error":{"code":"bad_request","message":"malformed JSON: Duplicate field 'id' at character 24"}}
          unknown op             | {"op":"dance","id":1}                                 | {"id":1,"error":{"code":"bad_request","message":"unknown op \\"dance\\"; expected connect, subscribe, unsubscribe, publish, presence, history or ping"}}
          no id                  | {"op":"ping"}                                         | {"error":{"code":"bad_request","message":"\\"id\\" is required: a number or a string the reply echoes"}}
          object id              | {"op":"ping","id":{}}                                 | {"error":{"code":"bad_request","message":"\\"id\\" must be a number or a string of at most 64 characters"}}
          no op                  | {"id":1}                                              | {"id":1,"error":{"code":"bad_request","message":"\\"op\\" is required"}}
          op not a string        | {"op":1,"id":1}                                       | {"id":1,"error":{"code":"bad_request","message":"\\"op\\" must be a string"}}
          no channel             | {"op":"subscribe","id":1}                             | {"id":1,"error":{"code":"bad_request","message":"\\"channel\\" is required"}}
          bad channel name       | {"op":"subscribe","id":1,"channel":"a b"}             | {"id":1,"error":{"code":"bad_request","message":"channel \\"a b\\" is not a valid name: 1 to 255 of the characters A-Z a-z 0-9 _ - . : / @ = +"}}
          no data                | {"op":"publish","id":1,"channel":"x"}                 | {"id":1,"error":{"code":"bad_request","message":"\\"data\\" is required: the JSON value to publish"}}
          zero limit             | {"op":"history","id":1,"channel":"x","limit":0}       | {"id":1,"error":{"code":"bad_request","message":"\\"limit\\" must be an integer, 1 or more"}}
          since not an object    | {"op":"subscribe","id":1,"channel":"x","since":3}    | {"id":1,"error":{"code":"bad_request","message":"\\"since\\" must be an object {\\"epoch\\":\\"...\\",\\"offset\\":N}"}}
          negative since         | {"op":"subscribe","id":1,"channel":"x","since":{"epoch":"e","offset":-1}} | {"id":1,"error":{"code":"bad_request","message":"\\"since.offset\\" must be an integer, 0 or more"}}
          not subscribed         | {"op":"unsubscribe","id":1,"channel":"x"}             | {"id":1,"error":{"code":"bad_request","message":"not subscribed to x"}}
          """)
  void aMalformedRequestGetsItsDocumentedErrorAndOnlyThatClientIsAffected(
      String rule, String request, String expected) {
    var a = client();
    var b = client();
    b.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    b.received();
    a.send(request);
    assertThat(a.received()).as(rule).containsExactly(expected);
    a.send(publish(2, "\"still here\""));
    assertThat(a.received()).hasSize(1).first().asString().startsWith("{\"id\":2,\"ok\":true");
    assertThat(b.received()).hasSize(1).first().asString().endsWith("\"data\":\"still here\"}");
  }

  @Test
  void aNestingTooDeepIsABadRequestNotAStackOverflow() {
    var a = client();
    a.send(publish(1, "[".repeat(5000) + "]".repeat(5000)));
    assertThat(a.received())
        .singleElement()
        .asString()
        .startsWith(
            "{\"error\":{\"code\":\"bad_request\",\"message\":\"malformed JSON: Document nesting depth");
  }

  @Test
  void limitsAreAnsweredWithLimitExceeded() {
    use(
        ChannelsConfig.builder().maxMessageBytes(100).maxChannelsPerConnection(2).build(),
        InMemoryBroker.HistoryPolicy.DEFAULTS);
    var a = client();
    a.send(publish(1, "\"" + "é".repeat(60) + "\"")); // 60 characters, 120 bytes
    a.send("{\"op\":\"subscribe\",\"id\":2,\"channel\":\"a\"}");
    a.send("{\"op\":\"subscribe\",\"id\":3,\"channel\":\"b\"}");
    a.send("{\"op\":\"subscribe\",\"id\":4,\"channel\":\"c\"}");
    List<String> got = a.received();
    assertThat(got.get(0))
        .isEqualTo(
            "{\"id\":1,\"error\":{\"code\":\"limit_exceeded\",\"message\":\"message of more than 100 bytes\"}}");
    assertThat(got.get(got.size() - 1))
        .isEqualTo(
            "{\"id\":4,\"error\":{\"code\":\"limit_exceeded\",\"message\":\"at most 2 channels per connection\"}}");
  }

  @Test
  void channelsOutsideThePatternsAreUnknownAndGrantsAreEnforced() {
    use(
        ChannelsConfig.builder()
            .channelPatterns(List.of("chat:*"))
            .authenticator(
                request ->
                    java.util.Optional.of(
                        new ClientAuthenticator.Grant("ann", c -> true, c -> false)))
            .build(),
        InMemoryBroker.HistoryPolicy.DEFAULTS);
    var a = client();
    a.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    a.send("{\"op\":\"publish\",\"id\":2,\"channel\":\"chat:lobby\",\"data\":1}");
    assertThat(a.received())
        .containsExactly(
            "{\"id\":1,\"error\":{\"code\":\"unknown_channel\",\"message\":\"no channel pattern of this server matches news\"}}",
            "{\"id\":2,\"error\":{\"code\":\"unauthorized\",\"message\":\"not allowed on chat:lobby\"}}");
  }

  @Test
  void aSlowConsumerIsClosedWith1008UnderTheClosePolicy() {
    use(
        ChannelsConfig.builder().maxQueuedBytes(4096).build(),
        InMemoryBroker.HistoryPolicy.DEFAULTS);
    var a = client();
    a.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    a.received();
    for (int i = 1; i <= 100; i++) {
      channels.publish("news", "\"" + "x".repeat(100) + "\"");
    }
    List<String> got = a.received();
    assertThat(got).last().isEqualTo("close 1008 slow consumer: more than 4096 bytes queued");
    assertThat(got.size()).isLessThan(100);
    a.send("garbage after the close"); // ignored: the session is closing
    assertThat(a.received()).isEmpty();
  }

  @Test
  void aSlowConsumerIsToldItLaggedUnderTheLagPolicyAndRecovers() {
    use(
        ChannelsConfig.builder()
            .maxQueuedBytes(4096)
            .slowConsumerAction(SlowConsumerAction.LAG)
            .build(),
        InMemoryBroker.HistoryPolicy.DEFAULTS);
    var a = client();
    a.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
    String epoch = epochOf(a.received().get(0));
    for (int i = 1; i <= 60; i++) {
      channels.publish("news", "[" + i + ",\"" + "x".repeat(40) + "\"]");
    }
    List<String> got = a.received();
    String lagged = got.get(got.size() - 1);
    assertThat(lagged)
        .startsWith("{\"channel\":\"news\",\"lagged\":{\"epoch\":\"" + epoch + "\",\"offset\":");
    long last = Long.parseLong(lagged.replaceAll(".*\"offset\":(\\d+).*", "$1"));
    assertThat(got).hasSize((int) last + 1);
    assertThat(a.connection.isClosed()).isFalse();
    channels.publish("news", "61");
    assertThat(a.received()).as("unsubscribed").isEmpty();
    a.send(
        "{\"op\":\"subscribe\",\"id\":2,\"channel\":\"news\",\"since\":{\"epoch\":\""
            + epoch
            + "\",\"offset\":"
            + last
            + "}}");
    List<String> recovered = a.received();
    assertThat(recovered.get(0)).endsWith("\"offset\":61,\"recovered\":true}");
    for (int i = 1; i < recovered.size() && i <= 61 - last; i++) {
      assertThat(recovered.get(i)).contains("\"offset\":" + (last + i) + ",");
    }
    assertThat(recovered).hasSize((int) (61 - last + 1));
  }
}
