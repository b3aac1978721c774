package dev.wharf.cli.admin;

import dev.wharf.channels.ChannelActivity;
import dev.wharf.cli.Json;
import dev.wharf.core.Addresses;
import dev.wharf.core.ConnectionInfo;
import dev.wharf.core.ListenerInfo;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * The dashboard's JSON (docs/cli.md, "serve --admin"): rows of the socket table, listeners,
 * channels and chart samples. Written by hand: a few flat objects, and the cli has no JSON library.
 */
final class AdminJson {
  private AdminJson() {}

  static String address(SocketAddress address) {
    if (address instanceof UnixDomainSocketAddress unix) {
      return unix.getPath().toString();
    }
    return address == null ? "" : Addresses.format(address);
  }

  /**
   * A connection: {@code {"id":7,"transport":"tcp",...,"ageMs":1500,"idleMs":20,"channels":[]}},
   * with the channels its client subscribed to (none for a connection that is no channels client).
   */
  static void connection(
      StringBuilder out, ConnectionInfo info, long nowMillis, List<String> channels) {
    out.append("{\"id\":").append(info.id());
    field(out, "transport", info.transport().name().toLowerCase(Locale.ROOT));
    field(out, "side", info.side().name().toLowerCase(Locale.ROOT));
    field(out, "local", address(info.local()));
    field(out, "remote", address(info.remote()));
    field(out, "protocol", info.protocol());
    field(out, "state", info.state().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    out.append(",\"bytesIn\":").append(info.bytesIn());
    out.append(",\"bytesOut\":").append(info.bytesOut());
    out.append(",\"pending\":").append(info.pendingBytes());
    out.append(",\"opened\":").append(info.opened().toEpochMilli());
    out.append(",\"ageMs\":").append(Math.max(0, nowMillis - info.opened().toEpochMilli()));
    out.append(",\"idleMs\":").append(info.idle().toMillis());
    out.append(",\"channels\":");
    array(out, channels, (o, channel) -> o.append(Json.quote(channel)));
    out.append('}');
  }

  /** A listener: {@code {"transport":"tcp","address":"0.0.0.0:8000","protocol":"http",...}}. */
  static void listener(StringBuilder out, ListenerInfo info) {
    out.append("{\"transport\":")
        .append(Json.quote(info.transport().name().toLowerCase(Locale.ROOT)));
    field(out, "address", address(info.address()));
    field(out, "protocol", info.protocol());
    out.append(",\"since\":").append(info.since().toEpochMilli());
    out.append('}');
  }

  /** A channel with its rate of publications per second over the last tick. */
  static void channel(StringBuilder out, ChannelActivity activity, double perSecond) {
    out.append("{\"channel\":").append(Json.quote(activity.channel()));
    out.append(",\"members\":").append(activity.localMembers());
    out.append(",\"publications\":").append(activity.publications());
    out.append(",\"perSecond\":").append(number(perSecond));
    out.append('}');
  }

  static void sample(StringBuilder out, Timeline.Sample sample) {
    out.append("{\"t\":").append(sample.epochSecond());
    out.append(",\"connections\":").append(sample.connections());
    out.append(",\"requests\":").append(number(sample.requestsPerSecond()));
    out.append(",\"bytesIn\":").append(number(sample.bytesInPerSecond()));
    out.append(",\"bytesOut\":").append(number(sample.bytesOutPerSecond()));
    out.append('}');
  }

  static <T> void array(StringBuilder out, Collection<T> items, BiConsumer<StringBuilder, T> each) {
    out.append('[');
    boolean first = true;
    for (T item : items) {
      if (!first) {
        out.append(',');
      }
      first = false;
      each.accept(out, item);
    }
    out.append(']');
  }

  static void field(StringBuilder out, String name, String value) {
    out.append(",\"").append(name).append("\":").append(Json.quote(value));
  }

  /** A rate, rounded to hundredths (JSON has no NaN or infinity; none are made). */
  static String number(double value) {
    return Double.isFinite(value) ? String.valueOf(Math.round(value * 100) / 100.0) : "0";
  }
}
