package dev.wharf.packets.decode;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * A decoded packet as one JSON object: {@code {"wire":74,"captured":74,"layers":[{"layer":"tcp",
 * "sourcePort":...}]}}, every field of every layer under its record component's name. Any thread.
 */
public final class PacketJson {
  private PacketJson() {}

  /** The object, with {@code prefix} (such as {@code "time":...,}) first inside it. */
  public static String of(DecodedPacket packet, String prefix) {
    var json = new StringBuilder("{").append(prefix);
    json.append("\"wire\":").append(packet.wireLength());
    json.append(",\"captured\":").append(packet.capturedLength());
    json.append(",\"layers\":[");
    boolean first = true;
    for (Layer layer : packet.layers()) {
      json.append(first ? "" : ",");
      first = false;
      layer(json, layer);
    }
    return json.append("]}").toString();
  }

  private static void layer(StringBuilder json, Layer layer) {
    String name = layer.getClass().getSimpleName();
    json.append("{\"layer\":");
    string(json, Character.toLowerCase(name.charAt(0)) + name.substring(1));
    for (RecordComponent component : layer.getClass().getRecordComponents()) {
      json.append(",");
      string(json, component.getName());
      json.append(':');
      value(json, read(component, layer));
    }
    json.append('}');
  }

  private static Object read(RecordComponent component, Layer layer) {
    try {
      return component.getAccessor().invoke(layer);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("record accessor " + component, e);
    }
  }

  private static void value(StringBuilder json, Object value) {
    switch (value) {
      case null -> json.append("null");
      case Number number -> json.append(number);
      case Boolean bool -> json.append(bool);
      case List<?> list -> {
        json.append('[');
        for (int i = 0; i < list.size(); i++) {
          json.append(i == 0 ? "" : ",");
          value(json, list.get(i));
        }
        json.append(']');
      }
      default -> string(json, value.toString());
    }
  }

  private static void string(StringBuilder json, String text) {
    json.append('"');
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
