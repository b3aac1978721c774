package dev.wharf.channels.protocol;

import dev.wharf.channels.StreamPosition;
import java.util.Map;
import java.util.Optional;

/** One message from the server, as a client reads it ({@link ServerMessageDecoder}). Immutable. */
public sealed interface ServerMessage {

  /**
   * A reply to a request: {@code fields} hold every field as its JSON text; {@code error} is set
   * when the request was refused.
   */
  record Reply(String id, Optional<Error> error, Map<String, String> fields)
      implements ServerMessage {
    /** The reply's position (subscribe, publish, history), if it has one. */
    public Optional<StreamPosition> position() {
      String epoch = fields.containsKey("epoch") ? Json.stringValue(fields.get("epoch")) : null;
      Long offset = fields.containsKey("offset") ? Json.longValue(fields.get("offset")) : null;
      return epoch == null || offset == null
          ? Optional.empty()
          : Optional.of(new StreamPosition(epoch, offset));
    }

    /** A subscribe reply's {@code recovered}, if present. */
    public Optional<Boolean> recovered() {
      String value = fields.get("recovered");
      return value == null ? Optional.empty() : Optional.of(value.equals("true"));
    }

    /** Why recovery failed: a subscribe reply's {@code reason.message}, if present. */
    public Optional<String> reason() {
      String reason = fields.get("reason");
      if (reason == null || !reason.startsWith("{")) {
        return Optional.empty();
      }
      return Optional.ofNullable(Json.fields(reason).get("message")).map(Json::stringValue);
    }
  }

  /** An error reply's content; {@code code} is null for a code this client does not know. */
  record Error(ErrorCode code, String wireCode, String message) {}

  /** A publication: {@code data} is its exact JSON text; {@code text} the whole message. */
  record Delivery(String channel, StreamPosition position, String data, String text)
      implements ServerMessage {}

  /**
   * An error without an id: the server refused the connection (its token) or could not read a
   * request's id.
   */
  record Failure(Error error) implements ServerMessage {}

  /** A client joined or left a channel. */
  record PresenceEvent(String channel, boolean join, String client, String user)
      implements ServerMessage {}

  /** The server dropped the subscription; recover with {@code since = lastDelivered}. */
  record Lagged(String channel, StreamPosition lastDelivered) implements ServerMessage {}

  /** Something this client does not know (a later version's event). */
  record Unknown(String text) implements ServerMessage {}
}
