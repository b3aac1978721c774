package dev.wharf.bench.fanout;

import java.util.Locale;

/**
 * The two protocols the fan-out benchmark speaks, as text frames: Wharf's channels JSON
 * (docs/channels.md) and Socket.IO 4 over its WebSocket transport (Engine.IO protocol 4, Socket.IO
 * protocol 5: {@code 0} open, {@code 40} connect, {@code 2}/{@code 3} ping and pong, {@code 42}
 * event, {@code 43} ack). Stateless; no I/O.
 */
enum FanoutWire {
  WHARF {
    @Override
    String path() {
      return "/ws/channels";
    }

    /**
     * Without join and leave events: Socket.IO sends none, and with them every subscriber hears of
     * every other one (n squared messages while 10,000 connect).
     */
    @Override
    String subscribe(String channel) {
      return "{\"op\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\",\"joinLeave\":false}";
    }

    @Override
    String publish(String channel, long id, String data) {
      return "{\"op\":\"publish\",\"id\":"
          + id
          + ",\"channel\":\""
          + channel
          + "\",\"data\":"
          + data
          + "}";
    }

    @Override
    Kind classify(String text) {
      if (text.startsWith("{\"channel\"")) {
        return text.contains("\"data\":") ? Kind.DELIVERY : Kind.OTHER; // else presence
      }
      if (text.startsWith("{\"id\":1,\"ok\":true")) {
        return Kind.SUBSCRIBED;
      }
      return text.contains("\"error\"") ? Kind.FAILED : Kind.OTHER;
    }
  },

  SOCKET_IO {
    @Override
    String path() {
      return "/socket.io/?EIO=4&transport=websocket";
    }

    @Override
    String subscribe(String channel) {
      return "421[\"subscribe\",\"" + channel + "\"]"; // an event with ack id 1
    }

    @Override
    String publish(String channel, long id, String data) {
      return "42[\"publish\",\"" + channel + "\"," + data + "]";
    }

    @Override
    Kind classify(String text) {
      if (text.startsWith("42[\"message\"")) {
        return Kind.DELIVERY;
      }
      if (text.equals("2")) {
        return Kind.PING;
      }
      if (text.startsWith("0{")) {
        return Kind.OPENED;
      }
      if (text.startsWith("40")) {
        return Kind.CONNECTED;
      }
      if (text.startsWith("431[")) {
        return Kind.SUBSCRIBED;
      }
      return text.startsWith("44") ? Kind.FAILED : Kind.OTHER;
    }
  };

  /** What a server's text frame is, as far as the benchmark cares. */
  enum Kind {
    OPENED,
    CONNECTED,
    SUBSCRIBED,
    DELIVERY,
    PING,
    FAILED,
    OTHER
  }

  abstract String path();

  abstract String subscribe(String channel);

  abstract String publish(String channel, long id, String data);

  abstract Kind classify(String text);

  static FanoutWire of(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "wharf" -> WHARF;
      case "socketio", "socket.io" -> SOCKET_IO;
      default -> throw new IllegalArgumentException("protocol wharf or socketio, got " + name);
    };
  }

  /** The data of a publication: its send time on this JVM's nanoTime, its number, padding. */
  static String data(long sentNanos, long seq, String padding) {
    return "{\"t\":" + sentNanos + ",\"s\":" + seq + ",\"p\":\"" + padding + "\"}";
  }

  /** The send time in a delivery's data, or -1: the digits after the first {@code "t":}. */
  static long sentNanos(String text) {
    int at = text.indexOf("\"t\":");
    if (at < 0) {
      return -1;
    }
    long value = 0;
    boolean negative = false;
    int i = at + 4;
    if (i < text.length() && text.charAt(i) == '-') {
      negative = true;
      i++;
    }
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
  }
}
