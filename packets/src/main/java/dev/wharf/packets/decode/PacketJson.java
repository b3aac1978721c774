package dev.wharf.packets.decode;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * A decoded packet as one JSON object: {@code {"wire":74,"captured":74,"layers":[{"layer":"tcp",
 * "sourcePort":...}]}}, every field of every layer under its record component's name, and after UDP
 * or TCP the application protocol's layer where a {@link PayloadText} has fields for it ({@code
 * {"layer":"dns",...}}). Any thread.
 */
public final class PacketJson {
  /**
   * Each layer type's fields, looked up once: {@code getAccessor()} gives a fresh {@code Method}
   * each call, whose first {@code invoke} builds a method handle, and that per field per packet was
   * most of what --json cost (about 60 µs a packet; bench/results/2026-12-04-pkapp.md).
   */
  private static final ClassValue<List<Field>> FIELDS =
      new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
          return java.util.Arrays.stream(type.getRecordComponents())
              .map(component -> new Field(component.getName(), component.getAccessor()))
              .toList();
        }
      };

  private record Field(String name, Method accessor) {}

  private PacketJson() {}

  /** The object, with {@code prefix} (such as {@code "time":...,}) first inside it. */
  public static String of(DecodedPacket packet, String prefix) {
    return of(packet, null, PayloadText.NONE, prefix);
  }

  /**
   * The object, with {@code prefix} first inside it, and the fields {@code payloads} gives for the
   * UDP or TCP payload in {@code data} (the packet's captured bytes) as the last layer.
   */
  public static String of(DecodedPacket packet, byte[] data, PayloadText payloads, String prefix) {
    var json = new StringBuilder("{").append(prefix);
    json.append("\"wire\":").append(packet.wireLength());
    json.append(",\"captured\":").append(packet.capturedLength());
    json.append(",\"layers\":[");
    boolean first = true;
    for (Layer layer : packet.layers()) {
      json.append(first ? "" : ",");
      first = false;
      layer(json, layer);
      if (data != null && (layer instanceof Layer.Udp || layer instanceof Layer.Tcp)) {
        Payload.of(packet, data, layer)
            .flatMap(p -> payloads.fields(layer, data, p.offset(), p.length()))
            .ifPresent(fields -> payloadLayer(json, fields));
      }
    }
    return json.append("]}").toString();
  }

  private static void payloadLayer(StringBuilder json, PayloadFields fields) {
    json.append(",{\"layer\":");
    string(json, fields.layer());
    entries(json, fields.fields(), false);
    json.append('}');
  }

  private static void layer(StringBuilder json, Layer layer) {
    String name = layer.getClass().getSimpleName();
    json.append("{\"layer\":");
    string(json, Character.toLowerCase(name.charAt(0)) + name.substring(1));
    components(json, (Record) layer);
    json.append('}');
  }

  /** Each component of {@code record} as {@code ,"name":value}. */
  private static void components(StringBuilder json, Record record) {
    for (Field field : FIELDS.get(record.getClass())) {
      json.append(",");
      string(json, field.name());
      json.append(':');
      value(json, read(field, record));
    }
  }

  /** Each entry of {@code map} as {@code "key":value}, each after a comma but the first if so. */
  private static void entries(StringBuilder json, Map<?, ?> map, boolean first) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      json.append(first ? "" : ",");
      first = false;
      string(json, entry.getKey().toString());
      json.append(':');
      value(json, entry.getValue());
    }
  }

  private static Object read(Field field, Record layer) {
    try {
      return field.accessor().invoke(layer);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("record accessor " + field.name(), e);
    }
  }

  private static void value(StringBuilder json, Object value) {
    switch (value) {
      case null -> json.append("null");
      case Number number -> json.append(number);
      case Boolean bool -> json.append(bool);
      case Record record -> {
        // A layer's nested value (an MLDv2 report and its group records).
        int open = json.length();
        json.append('{');
        components(json, record);
        if (json.length() > open + 1) {
          json.deleteCharAt(open + 1); // components() puts a comma before each, the first too
        }
        json.append('}');
      }
      case Map<?, ?> map -> {
        // A payload's nested object (a DNS question, say).
        json.append('{');
        entries(json, map, true);
        json.append('}');
      }
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
