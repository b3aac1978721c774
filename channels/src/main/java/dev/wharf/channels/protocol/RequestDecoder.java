package dev.wharf.channels.protocol;

import dev.wharf.channels.StreamPosition;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decodes a client's text message into a {@link Request}, or throws a {@link ProtocolException}
 * that carries the documented error (docs/channels.md, "Errors") and the id when it could be read.
 * Fields the protocol does not know are ignored, so clients may send fields that later versions
 * define. Stateless; any thread.
 */
public final class RequestDecoder {
  /** The longest id accepted, as JSON text. */
  public static final int MAX_ID_LENGTH = 64;

  private RequestDecoder() {}

  public static Request decode(String text) {
    Map<String, String> fields = Json.fields(text);
    String id = fields.get("id");
    try {
      return decode(fields, id);
    } catch (ProtocolException e) {
      throw e.withId(id != null && isValidId(id) ? id : null);
    }
  }

  /**
   * The id of a request that is refused whole (too large), so that the refusal can still echo it;
   * empty if the text is not an object with a valid id.
   */
  public static Optional<String> idOf(String text) {
    try {
      String id = Json.fields(text).get("id");
      return id != null && isValidId(id) ? Optional.of(id) : Optional.empty();
    } catch (ProtocolException e) {
      return Optional.empty();
    }
  }

  private static boolean isValidId(String id) {
    return id.length() <= MAX_ID_LENGTH && Json.isScalarId(id);
  }

  private static Request decode(Map<String, String> fields, String id) {
    String op = requiredString(fields, "op");
    if (id == null) {
      throw bad("\"id\" is required: a number or a string the reply echoes");
    }
    if (!isValidId(id)) {
      throw bad("\"id\" must be a number or a string of at most " + MAX_ID_LENGTH + " characters");
    }
    return switch (op) {
      case "connect" -> new Request.Connect(id, token(fields));
      case "subscribe" ->
          new Request.Subscribe(id, channel(fields), since(fields), joinLeave(fields));
      case "unsubscribe" -> new Request.Unsubscribe(id, channel(fields));
      case "publish" -> new Request.Publish(id, channel(fields), data(fields));
      case "presence" -> new Request.Presence(id, channel(fields));
      case "history" -> new Request.History(id, channel(fields), limit(fields));
      case "ping" -> new Request.Ping(id);
      default ->
          throw bad(
              "unknown op \""
                  + shorten(op)
                  + "\"; expected connect, subscribe, unsubscribe, publish, presence, history or ping");
    };
  }

  private static String channel(Map<String, String> fields) {
    String channel = requiredString(fields, "channel");
    if (!ChannelNames.isValid(channel)) {
      throw bad(
          "channel \""
              + shorten(channel)
              + "\" is not a valid name: 1 to 255 of the characters A-Z a-z 0-9 _ - . : / @ = +");
    }
    return channel;
  }

  private static Optional<String> token(Map<String, String> fields) {
    String token = fields.get("token");
    if (token == null || token.equals("null")) {
      return Optional.empty();
    }
    String value = Json.stringValue(token);
    if (value == null || value.isEmpty()) {
      throw bad("\"token\" must be a non-empty string (a JWT)");
    }
    return Optional.of(value);
  }

  private static String data(Map<String, String> fields) {
    String data = fields.get("data");
    if (data == null) {
      throw bad("\"data\" is required: the JSON value to publish");
    }
    return data;
  }

  private static Optional<StreamPosition> since(Map<String, String> fields) {
    String since = fields.get("since");
    if (since == null || since.equals("null")) {
      return Optional.empty();
    }
    if (!since.startsWith("{")) {
      throw bad("\"since\" must be an object {\"epoch\":\"...\",\"offset\":N}");
    }
    Map<String, String> position = Json.fields(since);
    String epoch = requiredString(position, "epoch");
    Long offset = position.get("offset") == null ? null : Json.longValue(position.get("offset"));
    if (offset == null || offset < 0) {
      throw bad("\"since.offset\" must be an integer, 0 or more");
    }
    return Optional.of(new StreamPosition(epoch, offset));
  }

  /**
   * Whether a subscription wants join and leave events: off for a channel of thousands, where every
   * join would otherwise be sent to every other subscriber (n squared messages).
   */
  private static boolean joinLeave(Map<String, String> fields) {
    String raw = fields.get("joinLeave");
    if (raw == null || raw.equals("null") || raw.equals("true")) {
      return true;
    }
    if (raw.equals("false")) {
      return false;
    }
    throw bad("\"joinLeave\" must be true or false");
  }

  private static OptionalInt limit(Map<String, String> fields) {
    String limit = fields.get("limit");
    if (limit == null || limit.equals("null")) {
      return OptionalInt.empty();
    }
    Long value = Json.longValue(limit);
    if (value == null || value < 1) {
      throw bad("\"limit\" must be an integer, 1 or more");
    }
    return OptionalInt.of((int) Math.min(value, Integer.MAX_VALUE));
  }

  private static String requiredString(Map<String, String> fields, String name) {
    String raw = fields.get(name);
    if (raw == null) {
      throw bad("\"" + name + "\" is required");
    }
    String value = Json.stringValue(raw);
    if (value == null) {
      throw bad("\"" + name + "\" must be a string");
    }
    return value;
  }

  private static String shorten(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }

  private static ProtocolException bad(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, message);
  }
}
