package dev.wharf.channels;

import dev.wharf.channels.internal.Admission;
import dev.wharf.channels.internal.ChannelSession;
import dev.wharf.channels.internal.Hub;
import dev.wharf.channels.protocol.ChannelNames;
import dev.wharf.channels.protocol.Json;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.ServerRequest;
import dev.wharf.websocket.PreparedMessage;
import dev.wharf.websocket.SlowConsumerPolicy;
import dev.wharf.websocket.WebSocketConfig;
import dev.wharf.websocket.WebSocketServer;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One node's channels endpoint: the WebSocket {@link #handler()} that speaks the protocol of
 * docs/channels.md over a {@link Broker}, and the calls a Java server makes itself: {@link
 * #publish}, {@link #presence}, {@link #history} and {@link #observe}. Who may connect and what
 * they may do is {@link ChannelsConfig}'s {@link TokenVerifier} (a callback, or {@link
 * JwtVerifier}) and {@link ClientAuthenticator}.
 *
 * <pre>{@code
 * var config = ChannelsConfig.builder()
 *     .tokenVerifier(token -> sessions.grantFor(token)) // or JwtVerifier.builder().hs256(key).build()
 *     .build();
 * var channels = Channels.create(config, new InMemoryBroker());
 * HttpServer.builder(group).get(Channels.PATH, channels.handler()).bind(address);
 * channels.publish("news", "{\"title\":\"hello\"}");
 * channels.observe("chat:lobby", new ChannelObserver() {
 *   public void joined(ClientInfo who) { log.info(who.user() + " joined"); }
 * });
 * }</pre>
 *
 * <p>Thread-safe. The sessions run on their connections' event loops; see docs/CONCURRENCY.md.
 */
public final class Channels implements AutoCloseable {
  /** Where {@code wharf serve --channels} serves the endpoint. */
  public static final String PATH = "/ws/channels";

  /** The query parameter of the upgrade that may carry the token: {@code ?token=eyJ...}. */
  public static final String TOKEN_PARAMETER = "token";

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

  /**
   * The upgrade handler to put on a GET route ({@link #PATH}); runs on the event loop. Refuses the
   * upgrade with 403 and the reason when neither the authenticator admits the request nor a token
   * verifier is configured (docs/channels.md, "Who may connect").
   */
  public Handler handler() {
    return (request, response) -> {
      Optional<Admission> admission = admit(request);
      if (admission.isEmpty()) {
        // Said in the body: a client refused for where it connects from should learn why.
        response.sendError(403, refusal());
        return;
      }
      WebSocketServer.handlerPerRequest(
              webSocket, upgraded -> Optional.of(new ChannelSession(hub, config, admission.get())))
          .handle(request, response);
    };
  }

  private String refusal() {
    return config.servesLoopbackOnly()
        ? "no JWT key is configured, so only clients on this machine (loopback) may connect"
        : "not authorized to connect";
  }

  /**
   * A {@code token} query parameter decides if there is one and tokens are checked; else the
   * authenticator; else, with a verifier, the connection must connect with a token.
   */
  private Optional<Admission> admit(ServerRequest request) {
    Optional<TokenVerifier> verifier = config.tokenVerifier();
    Optional<String> token = verifier.isPresent() ? tokenParameter(request) : Optional.empty();
    if (token.isPresent()) {
      try {
        return Optional.of(new Admission.Admitted(verifier.get().verify(token.get())));
      } catch (InvalidTokenException e) {
        // Upgraded all the same: a browser sees a close code and reason, never an HTTP status.
        return Optional.of(new Admission.Refused(e));
      }
    }
    Optional<ClientAuthenticator.Grant> grant = config.authenticator().admit(request);
    if (grant.isPresent()) {
      return Optional.of(new Admission.Admitted(grant.get()));
    }
    return verifier.isPresent() ? Optional.of(new Admission.Pending()) : Optional.empty();
  }

  private static Optional<String> tokenParameter(ServerRequest request) {
    if (request.query().isEmpty()) {
      return Optional.empty();
    }
    for (String pair : request.query().get().split("&")) {
      if (pair.startsWith(TOKEN_PARAMETER + "=")) {
        try {
          return Optional.of(
                  URLDecoder.decode(
                      pair.substring(TOKEN_PARAMETER.length() + 1), StandardCharsets.UTF_8))
              .filter(token -> !token.isEmpty());
        } catch (IllegalArgumentException e) {
          return Optional.of(pair); // not a JWT either: the verifier says so
        }
      }
    }
    return Optional.empty();
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

  /** The clients subscribed to a channel, on every node. */
  public CompletableFuture<List<ClientInfo>> presence(String channel) {
    checkName(channel);
    return hub.broker().presence(channel);
  }

  /** The channel's position and its newest {@code limit} publications, oldest first. */
  public CompletableFuture<History> history(String channel, int limit) {
    checkName(channel);
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more, got " + limit);
    }
    return hub.broker().history(channel, OptionalLong.empty(), limit);
  }

  /**
   * Starts watching a channel from server code: its publications and its presence events (see
   * {@link ChannelObserver} for the threads). Completes once every later publication will reach the
   * observer; closing the {@link Observation} stops it. An observer is not a client: it is not in
   * the channel's presence. Waits for the broker as long as a client's subscribe does (20 s): see
   * {@link #observe(String, ChannelObserver, Duration)}.
   */
  public CompletableFuture<Observation> observe(String channel, ChannelObserver observer) {
    return observe(channel, observer, ChannelSession.SUBSCRIBE_WAIT);
  }

  /**
   * As {@link #observe(String, ChannelObserver)}, waiting at most {@code wait} for the broker to
   * take the subscription (during an outage it cannot): past it the future fails with a {@link
   * java.util.concurrent.TimeoutException} and the observer is dropped, as if closed, so that an
   * outage does not keep observers that nobody holds an {@link Observation} of.
   */
  public CompletableFuture<Observation> observe(
      String channel, ChannelObserver observer, Duration wait) {
    checkName(channel);
    Objects.requireNonNull(wait, "wait");
    Objects.requireNonNull(observer, "observer");
    Hub.Member member =
        new Hub.Member() {
          @Override
          public void offerPublication(Publication publication, PreparedMessage delivery) {
            observer.publication(publication);
          }

          @Override
          public void offerEvent(
              String channel, boolean join, ClientInfo who, PreparedMessage event) {
            if (join) {
              observer.joined(who);
            } else {
              observer.left(who);
            }
          }

          @Override
          public void offerLost(String channel) {
            observer.lost();
          }
        };
    // Copied: the timeout ends this observer's wait, not the node's subscription that others share.
    CompletableFuture<Void> subscribed =
        hub.add(channel, member).copy().orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS);
    // One stage: the observer is dropped before the caller sees the failure (a second dependent of
    // `subscribed` could run after the one the caller waits on).
    return subscribed.handle(
        (ok, failed) -> {
          if (failed != null) {
            hub.remove(channel, member);
            throw failed instanceof CompletionException wrapped
                ? wrapped
                : new CompletionException(failed);
          }
          return () -> hub.remove(channel, member);
        });
  }

  /** A running {@link #observe}; {@link #close} stops it (at once, idempotent). */
  public interface Observation extends AutoCloseable {
    @Override
    void close();
  }

  private static void checkName(String channel) {
    if (!ChannelNames.isValid(channel)) {
      throw new IllegalArgumentException("not a valid channel name: " + channel);
    }
  }

  /**
   * The channels this node is subscribed to, by name, with their local members and the publications
   * received: what the dashboard and /metrics show. Any thread; cheap.
   */
  public List<ChannelActivity> activity() {
    return hub.activity();
  }

  /**
   * The channels each client of this node has subscribed to, by the client's address (the remote
   * address of its connection): what the dashboard shows beside each connection. Any thread.
   */
  public Map<SocketAddress, List<String>> subscriptionsByClient() {
    return hub.subscriptionsByClient();
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
