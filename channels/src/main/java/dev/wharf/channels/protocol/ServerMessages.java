package dev.wharf.channels.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wharf.channels.ClientInfo;
import dev.wharf.channels.History;
import dev.wharf.channels.Publication;
import dev.wharf.channels.StreamPosition;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Writes what the server sends (docs/channels.md): replies, which echo the request's id, and
 * deliveries and events, which carry none. A publication's data is written as the text it was
 * published with. Stateless; any thread.
 */
public final class ServerMessages {
  private ServerMessages() {}

  /** Writes one JSON object's fields. */
  @FunctionalInterface
  private interface Fields {
    void write(JsonGenerator out) throws IOException;
  }

  private static String object(Fields fields) {
    var text = new StringWriter(64);
    try (JsonGenerator out = Json.FACTORY.createGenerator(text)) {
      out.writeStartObject();
      fields.write(out);
      out.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does no I/O
    }
    return text.toString();
  }

  private static void ok(JsonGenerator out, String id) throws IOException {
    out.writeFieldName("id");
    out.writeRawValue(id);
    out.writeBooleanField("ok", true);
  }

  private static void position(JsonGenerator out, StreamPosition position) throws IOException {
    out.writeStringField("epoch", position.epoch());
    out.writeNumberField("offset", position.offset());
  }

  /** {@code {"id":6,"ok":true}}: ping, unsubscribe. */
  public static String ok(String id) {
    return object(out -> ok(out, id));
  }

  /** A connect reply: {@code {"id":0,"ok":true,"client":"...","user":"alice"}}. */
  public static String connected(String id, ClientInfo me) {
    return object(
        out -> {
          ok(out, id);
          out.writeStringField("client", me.client());
          out.writeStringField("user", me.user());
        });
  }

  /**
   * A subscribe reply: the channel's position; with {@code since}, whether it was recovered, and if
   * not why.
   */
  public static String subscribed(
      String id, StreamPosition position, Optional<Boolean> recovered, Optional<String> whyNot) {
    return object(
        out -> {
          ok(out, id);
          position(out, position);
          if (recovered.isPresent()) {
            out.writeBooleanField("recovered", recovered.get());
          }
          if (whyNot.isPresent()) {
            out.writeObjectFieldStart("reason");
            out.writeStringField("code", ErrorCode.TOO_OLD.wireName());
            out.writeStringField("message", whyNot.get());
            out.writeEndObject();
          }
        });
  }

  /** A publish reply: the publication's place in the channel. */
  public static String published(String id, StreamPosition position) {
    return object(
        out -> {
          ok(out, id);
          position(out, position);
        });
  }

  /** A presence reply: the clients subscribed. */
  public static String presence(String id, List<ClientInfo> clients) {
    return object(
        out -> {
          ok(out, id);
          out.writeArrayFieldStart("clients");
          for (ClientInfo client : clients) {
            client(out, client);
          }
          out.writeEndArray();
        });
  }

  private static void client(JsonGenerator out, ClientInfo client) throws IOException {
    out.writeStartObject();
    out.writeStringField("client", client.client());
    out.writeStringField("user", client.user());
    out.writeEndObject();
  }

  /** A history reply: the channel's position and the publications, oldest first. */
  public static String history(String id, History history) {
    return object(
        out -> {
          ok(out, id);
          position(out, history.top());
          out.writeArrayFieldStart("publications");
          for (Publication p : history.publications()) {
            out.writeStartObject();
            out.writeNumberField("offset", p.offset());
            out.writeFieldName("data");
            out.writeRawValue(p.data());
            out.writeEndObject();
          }
          out.writeEndArray();
        });
  }

  /** {@code {"id":1,"error":{"code":"bad_request","message":"..."}}}; no id if none was read. */
  public static String error(Optional<String> id, ErrorCode code, String message) {
    return object(
        out -> {
          if (id.isPresent()) {
            out.writeFieldName("id");
            out.writeRawValue(id.get());
          }
          out.writeObjectFieldStart("error");
          out.writeStringField("code", code.wireName());
          out.writeStringField("message", message);
          out.writeEndObject();
        });
  }

  /** {@code {"channel":"news","epoch":"...","offset":42,"data":...}} */
  public static String delivery(Publication publication) {
    return object(
        out -> {
          out.writeStringField("channel", publication.channel());
          position(out, publication.position());
          out.writeFieldName("data");
          out.writeRawValue(publication.data());
        });
  }

  /** {@code {"channel":"news","join":{"client":"...","user":"..."}}}, or {@code "leave"}. */
  public static String presenceEvent(String channel, boolean join, ClientInfo client) {
    return object(
        out -> {
          out.writeStringField("channel", channel);
          out.writeFieldName(join ? "join" : "leave");
          client(out, client);
        });
  }

  /**
   * {@code {"channel":"news","lagged":{"epoch":"...","offset":41}}}: the server dropped this
   * subscription (the client read too slowly, or the broker lost messages); subscribe again with
   * {@code since} set to the position given, the last delivered.
   */
  public static String lagged(String channel, StreamPosition lastDelivered) {
    return object(
        out -> {
          out.writeStringField("channel", channel);
          out.writeObjectFieldStart("lagged");
          position(out, lastDelivered);
          out.writeEndObject();
        });
  }

  /** A request, as clients write them: {@code fields} are raw JSON texts, in order. */
  public static String request(String op, String id, String... namesAndRawValues) {
    return object(
        out -> {
          out.writeStringField("op", op);
          out.writeFieldName("id");
          out.writeRawValue(id);
          for (int i = 0; i + 1 < namesAndRawValues.length; i += 2) {
            out.writeFieldName(namesAndRawValues[i]);
            out.writeRawValue(namesAndRawValues[i + 1]);
          }
        });
  }

  /** A {@code since} object's text. */
  public static String since(StreamPosition position) {
    return object(out -> position(out, position));
  }
}
