package dev.wharf.websocket;

import dev.wharf.core.MemoryBudget;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Limits, timeouts and options of WebSocket connections, for servers and clients alike. Immutable;
 * build one with {@link #builder()} or start from {@link #DEFAULTS}.
 *
 * <p>The defaults are safe for a server facing the internet: messages up to 4 MiB, a ping after 30
 * s of silence and a close after 90 s, at most 1 MiB queued for a slow reader before it is cut off
 * (1008), no compression.
 */
public final class WebSocketConfig {

  /** Where listener callbacks run. */
  public enum Dispatch {
    /**
     * On the connection's event loop: fastest; callbacks must not block, and a binary message's
     * buffer is valid only during the call.
     */
    EVENT_LOOP,
    /**
     * On a virtual thread per connection, one event at a time in order: callbacks may block. While
     * more than {@link #maxInboundBufferedBytes()} wait for it, reading from the peer pauses.
     */
    VIRTUAL_THREAD
  }

  public static final WebSocketConfig DEFAULTS = builder().build();

  private final long maxFrameBytes;
  private final long maxMessageBytes;
  private final List<String> subprotocols;
  private final Predicate<String> originCheck;
  private final Optional<DeflateOptions> deflate;
  private final Duration pingInterval;
  private final Duration idleTimeout;
  private final Duration closeTimeout;
  private final long maxOutboundBytes;
  private final SlowConsumerPolicy slowConsumerPolicy;
  private final long maxInboundBufferedBytes;
  private final Dispatch dispatch;
  private final MemoryBudget memoryBudget;

  private WebSocketConfig(Builder b) {
    this.maxFrameBytes = b.maxFrameBytes;
    this.maxMessageBytes = b.maxMessageBytes;
    this.subprotocols = List.copyOf(b.subprotocols);
    this.originCheck = b.originCheck;
    this.deflate = b.deflate;
    this.pingInterval = b.pingInterval;
    this.idleTimeout = b.idleTimeout;
    this.closeTimeout = b.closeTimeout;
    this.maxOutboundBytes = b.maxOutboundBytes;
    this.slowConsumerPolicy = b.slowConsumerPolicy;
    this.maxInboundBufferedBytes = b.maxInboundBufferedBytes;
    this.dispatch = b.dispatch;
    this.memoryBudget = b.memoryBudget;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to change part of it. */
  public Builder toBuilder() {
    var b = new Builder();
    b.maxFrameBytes = maxFrameBytes;
    b.maxMessageBytes = maxMessageBytes;
    b.subprotocols = subprotocols;
    b.originCheck = originCheck;
    b.deflate = deflate;
    b.pingInterval = pingInterval;
    b.idleTimeout = idleTimeout;
    b.closeTimeout = closeTimeout;
    b.maxOutboundBytes = maxOutboundBytes;
    b.slowConsumerPolicy = slowConsumerPolicy;
    b.maxInboundBufferedBytes = maxInboundBufferedBytes;
    b.dispatch = dispatch;
    b.memoryBudget = memoryBudget;
    return b;
  }

  /** The largest frame payload accepted (close 1009 beyond it). */
  public long maxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * The largest message received whole, after decompression (close 1009 beyond it). Messages
   * received as streams are not held in memory and have no such limit.
   */
  public long maxMessageBytes() {
    return maxMessageBytes;
  }

  /**
   * Subprotocols, in order of preference: a server picks the first of these the client offers; a
   * client offers them all.
   */
  public List<String> subprotocols() {
    return subprotocols;
  }

  /**
   * Whether a server accepts a handshake carrying this Origin (RFC 6455 §10.2); refused ones get
   * 403. Requests without Origin (from non-browser clients) are not checked.
   */
  public Predicate<String> originCheck() {
    return originCheck;
  }

  /** permessage-deflate options, or empty to neither offer nor accept it. */
  public Optional<DeflateOptions> deflate() {
    return deflate;
  }

  /** A ping is sent after this long without a frame from the peer; zero for none. */
  public Duration pingInterval() {
    return pingInterval;
  }

  /** The connection closes (1001) after this long without a frame from the peer; zero for never. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** How long to wait for the peer's answer to our Close frame before dropping the connection. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** Bytes queued for the peer beyond which {@link #slowConsumerPolicy()} applies. */
  public long maxOutboundBytes() {
    return maxOutboundBytes;
  }

  public SlowConsumerPolicy slowConsumerPolicy() {
    return slowConsumerPolicy;
  }

  /**
   * Received bytes waiting for a listener on another thread (a {@link Dispatch#VIRTUAL_THREAD}
   * listener, or a message stream) beyond which reading pauses until it catches up.
   */
  public long maxInboundBufferedBytes() {
    return maxInboundBufferedBytes;
  }

  public Dispatch dispatch() {
    return dispatch;
  }

  /**
   * What messages being gathered on all connections may hold together (default: {@link
   * MemoryBudget#processDefault()}, shared with HTTP request bodies). A message that finds it spent
   * closes its connection with 1009, so that many connections each just under {@link
   * #maxMessageBytes()} cannot fill the heap.
   */
  public MemoryBudget memoryBudget() {
    return memoryBudget;
  }

  /** Builds a {@link WebSocketConfig}. Not thread-safe. */
  public static final class Builder {
    private long maxFrameBytes = 4L << 20;
    private long maxMessageBytes = 4L << 20;
    private List<String> subprotocols = List.of();
    private Predicate<String> originCheck = origin -> true;
    private Optional<DeflateOptions> deflate = Optional.empty();
    private Duration pingInterval = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(90);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private long maxOutboundBytes = 1L << 20;
    private SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.CLOSE;
    private long maxInboundBufferedBytes = 1L << 20;
    private Dispatch dispatch = Dispatch.EVENT_LOOP;
    private MemoryBudget memoryBudget = MemoryBudget.processDefault();

    private Builder() {}

    public Builder maxFrameBytes(long value) {
      this.maxFrameBytes = positive(value, "maxFrameBytes");
      return this;
    }

    public Builder maxMessageBytes(long value) {
      this.maxMessageBytes = positive(value, "maxMessageBytes");
      return this;
    }

    public Builder subprotocols(String... values) {
      this.subprotocols = List.of(values);
      return this;
    }

    public Builder originCheck(Predicate<String> value) {
      this.originCheck = Objects.requireNonNull(value);
      return this;
    }

    /** Accepts only these origins, compared exactly ({@code https://example.com}). */
    public Builder allowedOrigins(String... origins) {
      var allowed = java.util.Set.of(origins);
      this.originCheck = allowed::contains;
      return this;
    }

    /** Offers (client) or accepts (server) permessage-deflate with these options. */
    public Builder deflate(DeflateOptions value) {
      this.deflate = Optional.of(value);
      return this;
    }

    public Builder noDeflate() {
      this.deflate = Optional.empty();
      return this;
    }

    public Builder pingInterval(Duration value) {
      this.pingInterval = nonNegative(value, "pingInterval");
      return this;
    }

    public Builder idleTimeout(Duration value) {
      this.idleTimeout = nonNegative(value, "idleTimeout");
      return this;
    }

    public Builder closeTimeout(Duration value) {
      this.closeTimeout = nonNegative(value, "closeTimeout");
      return this;
    }

    public Builder maxOutboundBytes(long value) {
      this.maxOutboundBytes = positive(value, "maxOutboundBytes");
      return this;
    }

    public Builder slowConsumerPolicy(SlowConsumerPolicy value) {
      this.slowConsumerPolicy = Objects.requireNonNull(value);
      return this;
    }

    public Builder maxInboundBufferedBytes(long value) {
      this.maxInboundBufferedBytes = positive(value, "maxInboundBufferedBytes");
      return this;
    }

    public Builder dispatch(Dispatch value) {
      this.dispatch = Objects.requireNonNull(value);
      return this;
    }

    public Builder memoryBudget(MemoryBudget value) {
      this.memoryBudget = Objects.requireNonNull(value);
      return this;
    }

    public WebSocketConfig build() {
      return new WebSocketConfig(this);
    }

    private static long positive(long value, String name) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }

    private static Duration nonNegative(Duration value, String name) {
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative: " + value);
      }
      return value;
    }
  }
}
