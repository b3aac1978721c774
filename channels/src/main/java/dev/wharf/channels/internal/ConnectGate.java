package dev.wharf.channels.internal;

import dev.wharf.channels.ChannelsConfig;
import dev.wharf.channels.ClientAuthenticator.Grant;
import dev.wharf.channels.ClientInfo;
import dev.wharf.channels.InvalidTokenException;
import dev.wharf.channels.protocol.ChannelsCloseCodes;
import dev.wharf.channels.protocol.ErrorCode;
import dev.wharf.channels.protocol.ProtocolException;
import dev.wharf.channels.protocol.Request;
import dev.wharf.channels.protocol.ServerMessages;
import dev.wharf.core.Cancellable;
import dev.wharf.core.LazyLogger;
import dev.wharf.websocket.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Who a connection is and what it may do: the {@link Admission} of its upgrade, then its {@code
 * connect} request (the first, at most once), and the deadlines on both (a token in time; the
 * grant's expiry). Refusals are an error message and a close with a code of {@link
 * ChannelsCloseCodes}. Confined to the connection's event loop, as its {@link ChannelSession}.
 */
final class ConnectGate {
  private static final System.Logger LOG = LazyLogger.of(ConnectGate.class);

  private final ChannelsConfig config;
  private final Admission admission;
  private final String clientId;
  private WebSocket webSocket;
  private Grant grant; // null until admitted
  private ClientInfo me;
  private boolean anyRequest;
  private boolean refused;
  private Cancellable deadline;

  ConnectGate(ChannelsConfig config, Admission admission, String clientId) {
    this.config = config;
    this.admission = admission;
    this.clientId = clientId;
    this.me = new ClientInfo(clientId, "");
  }

  /** The connection is upgraded: refuse it at once, or wait for its token, or start its grant. */
  void open(WebSocket ws) {
    this.webSocket = ws;
    switch (admission) {
      case Admission.Refused refusal -> refuse(Optional.empty(), refusal.why());
      case Admission.Pending pending ->
          deadline =
              ws.schedule(
                  config.connectTimeout(),
                  () ->
                      refuse(
                          Optional.empty(),
                          InvalidTokenException.invalid(
                              "no connect with a token within "
                                  + config.connectTimeout().toSeconds()
                                  + " s")));
      case Admission.Admitted admitted -> admit(admitted.grant());
    }
  }

  /** True once the connection was refused: it is closing, and ignores what else it sends. */
  boolean hasRefused() {
    return refused;
  }

  ClientInfo me() {
    return me;
  }

  /**
   * The grant a request (other than connect) runs under; a connection that has none yet is refused
   * (empty).
   */
  Optional<Grant> grantFor(Request request) {
    anyRequest = true;
    if (grant == null) {
      refuse(
          Optional.of(request.id()),
          InvalidTokenException.invalid(
              "this server needs a token: send {\"op\":\"connect\",\"id\":...,\"token\":\"<JWT>\"}"
                  + " first"));
      return Optional.empty();
    }
    return Optional.of(grant);
  }

  /** A connect request: checks its token, if any, and replies, or refuses the connection. */
  void connect(Request.Connect r) {
    if (anyRequest) {
      throw new ProtocolException(
          ErrorCode.BAD_REQUEST, "connect must be the connection's first request, once", r.id());
    }
    anyRequest = true;
    if (r.token().isPresent()) {
      if (config.tokenVerifier().isEmpty()) {
        throw new ProtocolException(
            ErrorCode.BAD_REQUEST, "this server checks no tokens (no JWT key configured)", r.id());
      }
      try {
        admit(config.tokenVerifier().get().verify(r.token().get()));
      } catch (InvalidTokenException e) {
        refuse(Optional.of(r.id()), e);
        return;
      }
    } else if (grant == null) {
      refuse(Optional.of(r.id()), InvalidTokenException.invalid("this server needs a token"));
      return;
    }
    webSocket.sendText(ServerMessages.connected(r.id(), me));
  }

  private void admit(Grant granted) {
    cancelDeadline();
    this.grant = granted;
    this.me = new ClientInfo(clientId, granted.user());
    if (!granted.validUntil().equals(Instant.MAX)) {
      Duration left = Duration.between(config.clock().instant(), granted.validUntil());
      Runnable expire =
          () ->
              refuse(
                  Optional.empty(),
                  InvalidTokenException.expired(
                      "the token expired at "
                          + granted.validUntil()
                          + "; connect with a fresh one"));
      if (left.isNegative() || left.isZero()) {
        expire.run();
      } else {
        deadline = webSocket.schedule(left, expire);
      }
    }
  }

  /** Sends the refusal as an error (with the request's id, if it answers one) and closes. */
  private void refuse(Optional<String> id, InvalidTokenException why) {
    if (refused) {
      return;
    }
    refused = true;
    cancelDeadline();
    ErrorCode code = why.isExpired() ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED;
    LOG.log(System.Logger.Level.DEBUG, () -> clientId + ": refused: " + why.getMessage());
    webSocket.sendText(ServerMessages.error(id, code, why.getMessage()));
    webSocket.close(
        why.isExpired() ? ChannelsCloseCodes.TOKEN_EXPIRED : ChannelsCloseCodes.UNAUTHORIZED,
        why.isExpired() ? "token expired" : "unauthorized");
  }

  /** The connection closed: its deadlines go. */
  void closed() {
    cancelDeadline();
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }
}
