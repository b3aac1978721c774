package dev.wharf.channels;

import dev.wharf.websocket.WebSocketConfig;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The limits and policies of a channels endpoint. Immutable; build one with {@link #builder()} or
 * take {@link #DEFAULTS}: messages up to 64 KiB, 128 channels per connection, 1 MiB queued for a
 * slow reader (then {@link SlowConsumerAction#CLOSE}), history replies of at most 1000
 * publications, every channel name allowed, loopback clients only (no token verifier).
 */
public final class ChannelsConfig {
  public static final ChannelsConfig DEFAULTS = builder().build();

  private final long maxMessageBytes;
  private final int maxChannelsPerConnection;
  private final long maxQueuedBytes;
  private final SlowConsumerAction slowConsumerAction;
  private final int maxHistoryLimit;
  private final List<String> channelPatterns;
  private final ClientAuthenticator authenticator;
  private final TokenVerifier tokenVerifier;
  private final boolean loopbackOnly; // the default authenticator, for the refusal's words
  private final Duration connectTimeout;
  private final InstantSource clock;
  private final WebSocketConfig webSocket;

  private ChannelsConfig(Builder b) {
    this.maxMessageBytes = b.maxMessageBytes;
    this.maxChannelsPerConnection = b.maxChannelsPerConnection;
    this.maxQueuedBytes = b.maxQueuedBytes;
    this.slowConsumerAction = b.slowConsumerAction;
    this.maxHistoryLimit = b.maxHistoryLimit;
    this.channelPatterns = b.channelPatterns;
    this.tokenVerifier = b.tokenVerifier;
    this.authenticator =
        b.authenticator != null
            ? b.authenticator
            : b.tokenVerifier != null
                ? ClientAuthenticator.nobody()
                : ClientAuthenticator.loopbackOnly();
    this.loopbackOnly = b.authenticator == null && b.tokenVerifier == null;
    this.connectTimeout = b.connectTimeout;
    this.clock = b.clock;
    this.webSocket = b.webSocket;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The largest request accepted, in UTF-8 bytes (a larger one gets {@code limit_exceeded}). */
  public long maxMessageBytes() {
    return maxMessageBytes;
  }

  public int maxChannelsPerConnection() {
    return maxChannelsPerConnection;
  }

  /** What may wait for one client (deliveries, replies) before {@link #slowConsumerAction()}. */
  public long maxQueuedBytes() {
    return maxQueuedBytes;
  }

  public SlowConsumerAction slowConsumerAction() {
    return slowConsumerAction;
  }

  /** The most publications one history reply holds, whatever limit the client asks for. */
  public int maxHistoryLimit() {
    return maxHistoryLimit;
  }

  /**
   * The channel names served, as patterns where {@code *} is any run of characters; a name that
   * matches none gets {@code unknown_channel}.
   */
  public List<String> channelPatterns() {
    return channelPatterns;
  }

  /**
   * Who is admitted by the upgrade request alone; by default {@link
   * ClientAuthenticator#loopbackOnly()}, or {@link ClientAuthenticator#nobody()} when there is a
   * {@link #tokenVerifier()}.
   */
  public ClientAuthenticator authenticator() {
    return authenticator;
  }

  /** True when neither an authenticator nor a token verifier was given: loopback clients only. */
  boolean servesLoopbackOnly() {
    return loopbackOnly;
  }

  /**
   * What checks the tokens clients present ({@code connect} request or {@code token} query
   * parameter); empty when the endpoint takes none.
   */
  public Optional<TokenVerifier> tokenVerifier() {
    return Optional.ofNullable(tokenVerifier);
  }

  /**
   * How long a connection the upgrade did not admit has to present a token (default 10 s); then it
   * is closed with {@link dev.wharf.channels.protocol.ChannelsCloseCodes#UNAUTHORIZED}.
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The wall clock a grant's {@link ClientAuthenticator.Grant#validUntil()} is measured on. */
  public InstantSource clock() {
    return clock;
  }

  /**
   * The WebSocket settings the endpoint starts from (pings, idle timeout, origins); it sets the
   * message and outbound limits itself from this configuration's.
   */
  public WebSocketConfig webSocket() {
    return webSocket;
  }

  /** Builds a {@link ChannelsConfig}. Not thread-safe. */
  public static final class Builder {
    private long maxMessageBytes = 64 * 1024;
    private int maxChannelsPerConnection = 128;
    private long maxQueuedBytes = 1L << 20;
    private SlowConsumerAction slowConsumerAction = SlowConsumerAction.CLOSE;
    private int maxHistoryLimit = 1000;
    private List<String> channelPatterns = List.of("*");
    private ClientAuthenticator authenticator;
    private TokenVerifier tokenVerifier;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private InstantSource clock = InstantSource.system();
    private WebSocketConfig webSocket = WebSocketConfig.DEFAULTS;

    private Builder() {}

    public Builder maxMessageBytes(long value) {
      this.maxMessageBytes = atLeast(value, 64, "maxMessageBytes");
      return this;
    }

    public Builder maxChannelsPerConnection(int value) {
      this.maxChannelsPerConnection = (int) atLeast(value, 1, "maxChannelsPerConnection");
      return this;
    }

    public Builder maxQueuedBytes(long value) {
      this.maxQueuedBytes = atLeast(value, 1024, "maxQueuedBytes");
      return this;
    }

    public Builder slowConsumerAction(SlowConsumerAction value) {
      this.slowConsumerAction = Objects.requireNonNull(value);
      return this;
    }

    public Builder maxHistoryLimit(int value) {
      this.maxHistoryLimit = (int) atLeast(value, 1, "maxHistoryLimit");
      return this;
    }

    public Builder channelPatterns(List<String> value) {
      if (value.isEmpty()) {
        throw new IllegalArgumentException("at least one channel pattern is needed");
      }
      this.channelPatterns = List.copyOf(value);
      return this;
    }

    public Builder authenticator(ClientAuthenticator value) {
      this.authenticator = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Checks tokens: a client the {@link #authenticator} does not admit connects with one (and one
     * that it does may still present one, which then decides). Setting it makes the default
     * authenticator {@link ClientAuthenticator#nobody()}.
     */
    public Builder tokenVerifier(TokenVerifier value) {
      this.tokenVerifier = Objects.requireNonNull(value);
      return this;
    }

    public Builder connectTimeout(Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive, got " + value);
      }
      this.connectTimeout = value;
      return this;
    }

    public Builder clock(InstantSource value) {
      this.clock = Objects.requireNonNull(value);
      return this;
    }

    public Builder webSocket(WebSocketConfig value) {
      this.webSocket = Objects.requireNonNull(value);
      return this;
    }

    public ChannelsConfig build() {
      return new ChannelsConfig(this);
    }

    private static long atLeast(long value, long least, String name) {
      if (value < least) {
        throw new IllegalArgumentException(name + " must be at least " + least + ", got " + value);
      }
      return value;
    }
  }
}
