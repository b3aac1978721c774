package dev.wharf.channels.protocol;

import dev.wharf.channels.StreamPosition;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the server's messages on a client: replies by their {@code id}, deliveries by {@code data},
 * presence events by {@code join}/{@code leave}, lag notices by {@code lagged}. Stateless.
 */
public final class ServerMessageDecoder {
  private ServerMessageDecoder() {}

  /**
   * @throws ProtocolException if the text is not a JSON object or a known message lacks a field
   */
  public static ServerMessage decode(String text) {
    Map<String, String> fields = Json.fields(text);
    Optional<ServerMessage.Error> error = Optional.empty();
    String raw = fields.get("error");
    if (raw != null && raw.startsWith("{")) {
      Map<String, String> e = Json.fields(raw);
      String code = string(e, "code");
      error =
          Optional.of(
              new ServerMessage.Error(ErrorCode.ofWireName(code), code, string(e, "message")));
    }
    if (fields.containsKey("id")) {
      return new ServerMessage.Reply(fields.get("id"), error, fields);
    }
    if (error.isPresent()) {
      return new ServerMessage.Failure(error.get());
    }
    String channel = fields.containsKey("channel") ? string(fields, "channel") : null;
    if (channel == null) {
      return new ServerMessage.Unknown(text);
    }
    if (fields.containsKey("data")) {
      return new ServerMessage.Delivery(channel, position(fields), fields.get("data"), text);
    }
    for (String kind : new String[] {"join", "leave"}) {
      if (fields.get(kind) != null && fields.get(kind).startsWith("{")) {
        Map<String, String> who = Json.fields(fields.get(kind));
        return new ServerMessage.PresenceEvent(
            channel, kind.equals("join"), string(who, "client"), string(who, "user"));
      }
    }
    if (fields.get("lagged") != null && fields.get("lagged").startsWith("{")) {
      return new ServerMessage.Lagged(channel, position(Json.fields(fields.get("lagged"))));
    }
    return new ServerMessage.Unknown(text);
  }

  private static StreamPosition position(Map<String, String> fields) {
    String epoch = string(fields, "epoch");
    Long offset = fields.get("offset") == null ? null : Json.longValue(fields.get("offset"));
    if (offset == null || offset < 0) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"offset\" must be an integer");
    }
    return new StreamPosition(epoch, offset);
  }

  private static String string(Map<String, String> fields, String name) {
    String raw = fields.get(name);
    String value = raw == null ? null : Json.stringValue(raw);
    if (value == null) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"" + name + "\" must be a string");
    }
    return value;
  }
}
