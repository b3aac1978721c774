package dev.wharf.channels;

import dev.wharf.channels.protocol.ChannelNames;
import dev.wharf.http.server.ServerRequest;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides who may open a channels connection and what it may do, from the upgrade request alone
 * (its address, a cookie, a header): a {@link Grant}, or nothing. Nothing refuses the upgrade with
 * 403, unless the endpoint also checks tokens ({@link ChannelsConfig.Builder#tokenVerifier}): then
 * the client may still present one. The default, {@link #loopbackOnly()}, admits clients on this
 * machine only; with a token verifier the default is {@link #nobody()}, so that every client needs
 * a token. Called on the event loop of the request: it must not block.
 */
@FunctionalInterface
public interface ClientAuthenticator {

  Optional<Grant> admit(ServerRequest request);

  /**
   * What one connection may do: the user it is (shown by presence; {@code ""} when anonymous), the
   * channels it may subscribe to (and read the presence and history of) and publish to, and until
   * when ({@link Instant#MAX}: as long as it stays connected; past it the connection is closed with
   * {@link dev.wharf.channels.protocol.ChannelsCloseCodes#TOKEN_EXPIRED}).
   */
  record Grant(
      String user,
      Predicate<String> maySubscribe,
      Predicate<String> mayPublish,
      Instant validUntil) {
    public Grant {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(maySubscribe, "maySubscribe");
      Objects.requireNonNull(mayPublish, "mayPublish");
      Objects.requireNonNull(validUntil, "validUntil");
    }

    /** A grant for as long as the connection lasts. */
    public Grant(String user, Predicate<String> maySubscribe, Predicate<String> mayPublish) {
      this(user, maySubscribe, mayPublish, Instant.MAX);
    }

    /** Every channel, both ways. */
    public static Grant everything(String user) {
      return new Grant(user, channel -> true, channel -> true);
    }

    /**
     * The channels that match the patterns ({@code *} is any run of characters: {@code chat:*}), as
     * a token's claims grant them.
     */
    public static Grant ofPatterns(
        String user, List<String> subscribe, List<String> publish, Instant validUntil) {
      List<String> subscribable = List.copyOf(subscribe);
      List<String> publishable = List.copyOf(publish);
      return new Grant(
          user,
          channel -> subscribable.stream().anyMatch(p -> ChannelNames.matches(p, channel)),
          channel -> publishable.stream().anyMatch(p -> ChannelNames.matches(p, channel)),
          validUntil);
    }
  }

  /**
   * Admits clients connecting from a loopback address (127.0.0.0/8, ::1) to every channel,
   * anonymously, and refuses the rest: what serves when no JWT key is configured.
   */
  static ClientAuthenticator loopbackOnly() {
    return request ->
        request.remoteAddress() instanceof InetSocketAddress inet
                && inet.getAddress() != null
                && inet.getAddress().isLoopbackAddress()
            ? Optional.of(Grant.everything(""))
            : Optional.empty();
  }

  /** Admits no one by the request alone: every client must present a token. */
  static ClientAuthenticator nobody() {
    return request -> Optional.empty();
  }
}
