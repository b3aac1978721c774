package dev.wharf.cli.channels;

import dev.wharf.channels.BrowserClient;
import dev.wharf.channels.Channels;
import dev.wharf.channels.ChannelsConfig;
import dev.wharf.channels.InMemoryBroker;
import dev.wharf.channels.SlowConsumerAction;
import dev.wharf.cli.ByteSize;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wharf serve}'s channels options (a picocli mixin): {@code --channels} and its limits. */
public final class ChannelsOptions {

  @Option(
      names = "--channels",
      description =
          "Serve real-time channels at ws://HOST:PORT/ws/channels (docs/channels.md), with an"
              + " in-memory broker. Without a JWT key (--jwt-secret-env, --jwt-public-key) only"
              + " clients on this machine (loopback) may connect.")
  boolean enabled;

  @Mixin JwtOptions jwt = new JwtOptions();

  @Option(
      names = "--channels-history",
      paramLabel = "N",
      description = "Publications each channel keeps for recovery and history (default: 100).")
  int history = InMemoryBroker.HistoryPolicy.DEFAULTS.size();

  @Option(
      names = "--channels-history-ttl",
      paramLabel = "SECONDS",
      description = "How long a publication is kept (default: 300).")
  long historySeconds = InMemoryBroker.HistoryPolicy.DEFAULTS.ttl().toSeconds();

  @Option(
      names = "--channels-queue",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description =
          "What may wait for one slow client before --channels-slow-consumer applies (default:"
              + " 1M).")
  long queue = ChannelsConfig.DEFAULTS.maxQueuedBytes();

  @Option(
      names = "--channels-slow-consumer",
      paramLabel = "close|lag",
      description =
          "close: close a client that falls behind with 1008; lag: drop its subscriptions and tell"
              + " it where it lagged, so it recovers with since (default: close).")
  String slowConsumer = "close";

  @Option(
      names = "--channels-max-message",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description = "Largest request, publication included (default: 64K).")
  long maxMessage = ChannelsConfig.DEFAULTS.maxMessageBytes();

  public boolean enabled() {
    return enabled;
  }

  /** The history policy asked for; throws {@link IllegalArgumentException} for a bad value. */
  public InMemoryBroker.HistoryPolicy historyPolicy() {
    if (history < 0) {
      throw new IllegalArgumentException("--channels-history must be 0 or more");
    }
    if (historySeconds < 1) {
      throw new IllegalArgumentException("--channels-history-ttl must be at least 1 second");
    }
    return new InMemoryBroker.HistoryPolicy(history, Duration.ofSeconds(historySeconds));
  }

  /** The endpoint's configuration asked for; throws {@link IllegalArgumentException} if bad. */
  public ChannelsConfig config() {
    SlowConsumerAction action =
        switch (slowConsumer.toLowerCase(Locale.ROOT)) {
          case "close" -> SlowConsumerAction.CLOSE;
          case "lag" -> SlowConsumerAction.LAG;
          default ->
              throw new IllegalArgumentException(
                  "--channels-slow-consumer takes close or lag, got " + slowConsumer);
        };
    if (queue < 1024) {
      throw new IllegalArgumentException("--channels-queue must be at least 1K");
    }
    if (maxMessage < 64 || maxMessage > (64L << 20)) {
      throw new IllegalArgumentException("--channels-max-message must be between 64 and 64M");
    }
    var builder =
        ChannelsConfig.builder()
            .maxQueuedBytes(queue)
            .slowConsumerAction(action)
            .maxMessageBytes(maxMessage);
    jwt.verifier().ifPresent(builder::tokenVerifier);
    return builder.build();
  }

  /** Checks every value without starting anything. */
  public void check() {
    if (enabled) {
      historyPolicy();
      config();
    } else if (jwt.isConfigured()) {
      throw new IllegalArgumentException(
          "--jwt-secret-env and --jwt-public-key go with --channels");
    }
  }

  /** The endpoint, with its own in-memory broker. */
  public Channels start() {
    return Channels.create(config(), new InMemoryBroker(historyPolicy(), System::nanoTime));
  }

  /** What serve prints on stdout once listening: where the endpoint is, and what it keeps. */
  public List<String> startupLines(String scheme, String host, int port) {
    return List.of(
        "Channels on "
            + (scheme.equals("https") ? "wss" : "ws")
            + "://"
            + host
            + ":"
            + port
            + Channels.PATH
            + " (in-memory broker; each channel keeps its last "
            + history
            + " publications for "
            + historySeconds
            + " s).",
        "Chat demo on "
            + scheme
            + "://"
            + host
            + ":"
            + port
            + BrowserClient.CHAT_PATH
            + "; browser client at "
            + BrowserClient.SCRIPT_PATH
            + ".");
  }

  /** What serve says on stderr at start: who may connect (never the key). */
  public String whoMayConnect() {
    return jwt.verifier()
        .map(
            verifier ->
                "channels: clients connect with a JWT signed with "
                    + verifier.algorithms()
                    + " (connect request or ?token=)")
        .orElse(
            "channels: no JWT key configured: only clients on this machine (loopback) may"
                + " connect");
  }
}
