package dev.wharf.cli.channels;

import dev.wharf.channels.Broker;
import dev.wharf.channels.BrowserClient;
import dev.wharf.channels.Channels;
import dev.wharf.channels.ChannelsConfig;
import dev.wharf.channels.InMemoryBroker;
import dev.wharf.channels.SlowConsumerAction;
import dev.wharf.channels.nats.NatsBroker;
import dev.wharf.channels.redis.RedisBroker;
import dev.wharf.cli.ByteSize;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wharf serve}'s channels options (a picocli mixin): {@code --channels} and its limits. */
public final class ChannelsOptions {

  @Option(
      names = "--channels",
      description =
          "Serve real-time channels at ws://HOST:PORT/ws/channels (docs/channels.md), with an"
              + " in-memory broker unless --broker names one. Without a JWT key (--jwt-secret-env,"
              + " --jwt-public-key) only clients on this machine (loopback) may connect.")
  boolean enabled;

  @Mixin JwtOptions jwt = new JwtOptions();

  @Option(
      names = "--broker",
      paramLabel = "URL",
      description =
          "Share the channels with every node on the same broker: redis://HOST:PORT (Redis 7+)"
              + " or nats://HOST:PORT (NATS with JetStream). Default: in memory, this node only.")
  String broker;

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
    if (broker != null && !enabled) {
      throw new IllegalArgumentException("--broker needs --channels");
    }
    if (enabled) {
      historyPolicy();
      config();
      brokerUri();
    } else if (jwt.isConfigured()) {
      throw new IllegalArgumentException(
          "--jwt-secret-env and --jwt-public-key go with --channels");
    }
  }

  /** The broker asked for, checked: empty for in-memory. */
  Optional<URI> brokerUri() {
    if (broker == null) {
      return Optional.empty();
    }
    String usage = "--broker takes redis://HOST:PORT or nats://HOST:PORT, got " + broker;
    URI uri;
    try {
      uri = new URI(broker);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(usage, e);
    }
    if (uri.getScheme() == null
        || !List.of("redis", "nats").contains(uri.getScheme().toLowerCase(Locale.ROOT))
        || uri.getHost() == null
        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
        || uri.getQuery() != null
        || uri.getUserInfo() != null) {
      throw new IllegalArgumentException(usage);
    }
    return Optional.of(
        URI.create(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getAuthority()));
  }

  /**
   * The endpoint, over the broker asked for.
   *
   * @throws IOException if the broker cannot be reached
   */
  public Channels start() throws IOException {
    InMemoryBroker.HistoryPolicy policy = historyPolicy();
    Optional<URI> uri = brokerUri();
    Broker chosen;
    if (uri.isEmpty()) {
      chosen = new InMemoryBroker(policy, System::nanoTime);
    } else if (uri.get().getScheme().equals("redis")) {
      chosen = RedisBroker.connect(uri.get(), policy, RedisBroker.DEFAULT_PRESENCE_TTL);
    } else {
      chosen = NatsBroker.connect(uri.get(), policy, NatsBroker.DEFAULT_PRESENCE_TTL);
    }
    return Channels.create(config(), chosen);
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
            + " ("
            + (broker == null ? "in-memory" : brokerUri().orElseThrow().toString())
            + " broker; each channel keeps its last "
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
