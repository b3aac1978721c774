package dev.wharf.channels;

import dev.wharf.http.server.ServerRequest;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides who may open a channels connection and what it may do: given the upgrade request, a
 * {@link Grant} or nothing (the upgrade is refused with 403). The hook a JWT check plugs into;
 * until one is configured, {@link #loopbackOnly()} admits clients on this machine only. Called on
 * the event loop of the request: it must not block.
 */
@FunctionalInterface
public interface ClientAuthenticator {

  Optional<Grant> admit(ServerRequest request);

  /**
   * What one connection may do: the user it is (shown by presence; {@code ""} when anonymous) and
   * the channels it may subscribe to (and read the presence and history of) and publish to.
   */
  record Grant(String user, Predicate<String> maySubscribe, Predicate<String> mayPublish) {
    public Grant {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(maySubscribe, "maySubscribe");
      Objects.requireNonNull(mayPublish, "mayPublish");
    }

    /** Every channel, both ways. */
    public static Grant everything(String user) {
      return new Grant(user, channel -> true, channel -> true);
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
}
