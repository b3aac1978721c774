package dev.wharf.channels;

import dev.wharf.channels.internal.ChannelSession;
import dev.wharf.channels.internal.Hub;
import dev.wharf.channels.protocol.ChannelNames;
import dev.wharf.channels.protocol.Json;
import dev.wharf.http.server.Handler;
import dev.wharf.websocket.SlowConsumerPolicy;
import dev.wharf.websocket.WebSocketConfig;
import dev.wharf.websocket.WebSocketServer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One node's channels endpoint: the WebSocket {@link #handler()} that speaks the protocol of
 * docs/channels.md, over a {@link Broker}, and {@link #publish} for Java code on the server.
 *
 * <pre>{@code
 * var channels = Channels.create(ChannelsConfig.DEFAULTS, new InMemoryBroker());
 * HttpServer.builder(group).get(Channels.PATH, channels.handler()).bind(address);
 * channels.publish("news", "{\"title\":\"hello\"}");
 * }</pre>
 *
 * <p>Thread-safe. The sessions run on their connections' event loops; see docs/CONCURRENCY.md.
 */
public final class Channels implements AutoCloseable {
  /** Where {@code wharf serve --channels} serves the endpoint. */
  public static final String PATH = "/ws/channels";

  private final ChannelsConfig config;
  private final Hub hub;
  private final WebSocketConfig webSocket;

  private Channels(ChannelsConfig config, Broker broker) {
    this.config = Objects.requireNonNull(config, "config");
    this.hub = new Hub(Objects.requireNonNull(broker, "broker"));
    // The session keeps its own bound (ChannelsConfig.maxQueuedBytes) and policy; the WebSocket's
    // is a backstop above it with room for the notices an overflow sends. Requests up to twice
    // the limit get a limit_exceeded reply; larger ones close the connection with 1009.
    this.webSocket =
        config.webSocket().toBuilder()
            .maxMessageBytes(2 * config.maxMessageBytes())
            .maxFrameBytes(2 * config.maxMessageBytes())
            .maxOutboundBytes(config.maxQueuedBytes() + ChannelSession.NOTICE_ROOM)
            .slowConsumerPolicy(SlowConsumerPolicy.CLOSE)
            .dispatch(WebSocketConfig.Dispatch.EVENT_LOOP)
            .build();
  }

  public static Channels create(ChannelsConfig config, Broker broker) {
    return new Channels(config, broker);
  }

  /** The upgrade handler to put on a GET route ({@link #PATH}); runs on the event loop. */
  public Handler handler() {
    return WebSocketServer.handlerPerRequest(
        webSocket,
        request ->
            config
                .authenticator()
                .admit(request)
                .map(grant -> new ChannelSession(hub, config, grant)));
  }

  /**
   * Publishes a JSON value from Java code, as a client's publish would (no authorization: the
   * server's own code may publish anywhere); completes with its offset.
   *
   * @throws IllegalArgumentException if the channel name is invalid or {@code json} is not one JSON
   *     value
   */
  public CompletableFuture<Publication> publish(String channel, String json) {
    if (!ChannelNames.isValid(channel)) {
      throw new IllegalArgumentException("not a valid channel name: " + channel);
    }
    if (!Json.isValue(json)) {
      throw new IllegalArgumentException("not one JSON value: " + json);
    }
    return hub.broker().publish(channel, json.strip());
  }

  public ChannelsConfig config() {
    return config;
  }

  public Broker broker() {
    return hub.broker();
  }

  /** Closes the broker. Connections are the HTTP server's to close. */
  @Override
  public void close() {
    hub.broker().close();
  }
}
