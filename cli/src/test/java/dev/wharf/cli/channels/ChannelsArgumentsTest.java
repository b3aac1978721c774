package dev.wharf.cli.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.channels.SlowConsumerAction;
import dev.wharf.channels.StreamPosition;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code wharf sub}, {@code pub} and serve's channels options, parsed; nothing is started. */
class ChannelsArgumentsTest {

  static SubCommand.Options sub(String... args) {
    var command = new SubCommand();
    new CommandLine(GeneratedModels.subCommand(command)).parseArgs(args);
    return command.options();
  }

  static PubCommand.Options pub(String... args) {
    var command = new PubCommand();
    new CommandLine(GeneratedModels.pubCommand(command)).parseArgs(args);
    return command.options();
  }

  static ChannelsOptions serve(String... args) {
    var options = new ChannelsOptions();
    new CommandLine(GeneratedModels.channelsOptions(options)).parseArgs(args);
    return options;
  }

  @Test
  void subTakesAUrlWithoutPathAndSeveralChannels() {
    assertThat(sub("ws://127.0.0.1:8000", "news", "chat:lobby", "--since", "e1:41", "-n", "3"))
        .isEqualTo(
            new SubCommand.Options(
                List.of(URI.create("ws://127.0.0.1:8000/ws/channels")),
                List.of("news", "chat:lobby"),
                false,
                Optional.of(new StreamPosition("e1", 41)),
                OptionalLong.of(3)));
    assertThat(sub("http://h:1/other/path?x=1", "a", "--jsonl").urls())
        .containsExactly(URI.create("ws://h:1/other/path?x=1"));
    assertThat(sub("https://h/", "a").urls()).containsExactly(URI.create("wss://h/ws/channels"));
  }

  @Test
  void subTakesSeveralNodesToFallOverTo() {
    assertThat(sub("ws://a:1,ws://b:2/ws/channels", "news").urls())
        .containsExactly(URI.create("ws://a:1/ws/channels"), URI.create("ws://b:2/ws/channels"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("ws://a:1,ws://a:1/ws/channels", "news"))
        .withMessage("a URL is given twice");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("ws://a:1,", "news"))
        .withMessageStartingWith("expected a ws:// or wss:// URL");
  }

  @Test
  void tlsOptionsGoWithAWssUrl() {
    assertThat(sub("wss://h", "a", "--cacert", "/tmp/ca.pem").urls())
        .containsExactly(URI.create("wss://h/ws/channels"));
    assertThat(pub("https://h", "a", "-k").url()).isEqualTo(URI.create("wss://h/ws/channels"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("ws://h", "a", "--cacert", "/tmp/ca.pem"))
        .withMessage("--cacert goes with a wss:// URL");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> pub("ws://h", "a", "-k"))
        .withMessage("--insecure goes with a wss:// URL");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("wss://h", "a", "-k", "--cacert", "/tmp/ca.pem"))
        .withMessage("--insecure and --cacert exclude each other");
  }

  @Test
  void subRefusesWhatCannotWork() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("ws://h", "a b"))
        .withMessageStartingWith("not a channel name: a b");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("ws://h", "a", "a"))
        .withMessage("a channel is given twice");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("ws://h", "a", "--since", "41"))
        .withMessage("--since takes EPOCH:OFFSET, got 41");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("ftp://h", "a"))
        .withMessageStartingWith("expected a ws:// or wss:// URL");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sub("ws://h", "a", "-n", "0"))
        .withMessage("--count must be at least 1");
  }

  @Test
  void pubTakesDataOrNone() {
    assertThat(pub("ws://h:2", "news", "{\"a\":1}"))
        .isEqualTo(
            new PubCommand.Options(
                URI.create("ws://h:2/ws/channels"), "news", Optional.of("{\"a\":1}")));
    assertThat(pub("ws://h:2", "news").data()).isEmpty();
  }

  @Test
  void pubSendsJsonAsJsonAndAnythingElseAsAString() {
    assertThat(PubCommand.asJson(" {\"a\": [1, 2.50]} ")).isEqualTo("{\"a\": [1, 2.50]}");
    assertThat(PubCommand.asJson("42")).isEqualTo("42");
    assertThat(PubCommand.asJson("hello \"world\"")).isEqualTo("\"hello \\\"world\\\"\"");
    assertThat(PubCommand.asJson("1 2")).isEqualTo("\"1 2\"");
    assertThat(PubCommand.asJson("")).isEqualTo("\"\"");
  }

  @Test
  void serveChannelsOptionsBecomeTheConfigAndHistoryPolicy() {
    var options =
        serve(
            "--channels",
            "--channels-history",
            "7",
            "--channels-history-ttl",
            "9",
            "--channels-queue",
            "2M",
            "--channels-slow-consumer",
            "lag",
            "--channels-max-message",
            "1K");
    assertThat(options.enabled()).isTrue();
    assertThat(options.historyPolicy().size()).isEqualTo(7);
    assertThat(options.historyPolicy().ttl()).isEqualTo(Duration.ofSeconds(9));
    assertThat(options.config().maxQueuedBytes()).isEqualTo(2L << 20);
    assertThat(options.config().slowConsumerAction()).isEqualTo(SlowConsumerAction.LAG);
    assertThat(options.config().maxMessageBytes()).isEqualTo(1024);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("--channels", "--channels-slow-consumer", "drop").check())
        .withMessage("--channels-slow-consumer takes close or lag, got drop");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("--channels", "--channels-history-ttl", "0").check())
        .withMessage("--channels-history-ttl must be at least 1 second");
  }

  @Test
  void serveBrokerTakesARedisOrNatsUrlAndNeedsChannels() {
    assertThat(serve("--channels").brokerUri()).isEmpty();
    assertThat(serve("--channels", "--broker", "redis://127.0.0.1:6379").brokerUri())
        .contains(URI.create("redis://127.0.0.1:6379"));
    assertThat(serve("--channels", "--broker", "NATS://h:4222/").brokerUri())
        .contains(URI.create("nats://h:4222"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("--channels", "--broker", "kafka://h:9092").check())
        .withMessage("--broker takes redis://HOST:PORT or nats://HOST:PORT, got kafka://h:9092");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("--channels", "--broker", "redis://h:1/2").check())
        .withMessage("--broker takes redis://HOST:PORT or nats://HOST:PORT, got redis://h:1/2");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("--broker", "redis://h:1").check())
        .withMessage("--broker needs --channels");
  }

  @Test
  void serveJwtOptionsMakeAVerifierFromTheEnvironment() {
    var secret = Map.of("S", "a secret of thirty-two bytes, no less");
    var options = serve("--channels", "--jwt-secret-env", "S", "--jwt-audience", "wharf");
    options.jwt.withEnvironment(secret::get);
    assertThat(options.config().tokenVerifier()).isPresent();
    assertThat(options.config().authenticator().admit(null)).isEmpty(); // every client: a token
    assertThat(options.whoMayConnect())
        .isEqualTo(
            "channels: clients connect with a JWT signed with HS256 (connect request or ?token=)");
    assertThat(serve("--channels").config().tokenVerifier()).isEmpty();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("--channels", "--jwt-issuer", "x").check())
        .withMessage(
            "--jwt-issuer and --jwt-audience go with --jwt-secret-env or --jwt-public-key");
  }

  @Test
  void subAndPubTakeATokenOrAVariableNotBoth() {
    var tokens = new TokenOptions().withEnvironment(Map.of("T", " eyJ.a.b \n")::get);
    new CommandLine(GeneratedModels.tokenOptions(tokens)).parseArgs("--token-env", "T");
    assertThat(tokens.token()).contains("eyJ.a.b");
    var both = new TokenOptions();
    new CommandLine(GeneratedModels.tokenOptions(both))
        .parseArgs("--token", "x", "--token-env", "T");
    assertThatIllegalArgumentException()
        .isThrownBy(both::token)
        .withMessage("give --token or --token-env, not both");
    var unset = new TokenOptions().withEnvironment(name -> null);
    new CommandLine(GeneratedModels.tokenOptions(unset)).parseArgs("--token-env", "NOPE");
    assertThatIllegalArgumentException()
        .isThrownBy(unset::token)
        .withMessage("--token-env: the environment variable NOPE is not set");
  }
}
