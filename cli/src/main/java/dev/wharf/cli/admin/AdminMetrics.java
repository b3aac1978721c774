package dev.wharf.cli.admin;

import dev.wharf.channels.ChannelActivity;
import dev.wharf.channels.Channels;
import dev.wharf.core.SocketRegistry;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * What {@code /metrics} exposes, through the Prometheus Java client: callback metrics only, read at
 * scrape time from what the server counts anyway (the socket registry, the request counter, the
 * live table's byte totals, the channels' activity), so serving costs nothing between scrapes.
 * Thread-safe: a scrape runs on a handler's virtual thread.
 */
final class AdminMetrics {
  /** The text exposition format, version 0.0.4, as Prometheus scrapes it. */
  static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  private final PrometheusRegistry metrics = new PrometheusRegistry();

  AdminMetrics(
      SocketRegistry registry,
      RequestCounter requests,
      LiveTable table,
      Optional<Channels> channels) {
    GaugeWithCallback.builder()
        .name("wharf_connections_open")
        .help("Connections open now")
        .callback(callback -> callback.call(registry.openCount()))
        .register(metrics);
    CounterWithCallback.builder()
        .name("wharf_connections_opened")
        .help("Connections accepted since the server started")
        .callback(callback -> callback.call(registry.totalCount()))
        .register(metrics);
    GaugeWithCallback.builder()
        .name("wharf_listeners")
        .help("Listening sockets")
        .callback(callback -> callback.call(registry.listeners().size()))
        .register(metrics);
    CounterWithCallback.builder()
        .name("wharf_received_bytes")
        .help("Bytes read from clients (open connections as of the last second)")
        .callback(callback -> callback.call(table.bytesIn()))
        .register(metrics);
    CounterWithCallback.builder()
        .name("wharf_sent_bytes")
        .help("Bytes written to clients (open connections as of the last second)")
        .callback(callback -> callback.call(table.bytesOut()))
        .register(metrics);
    CounterWithCallback.builder()
        .name("wharf_http_requests")
        .help("HTTP requests answered, by status class")
        .labelNames("code")
        .callback(
            callback -> {
              for (int i = 0; i < RequestCounter.CLASSES.length; i++) {
                callback.call(requests.count(i), RequestCounter.CLASSES[i]);
              }
            })
        .register(metrics);
    channels.ifPresent(endpoint -> registerChannels(endpoint));
  }

  private void registerChannels(Channels endpoint) {
    GaugeWithCallback.builder()
        .name("wharf_broker_connected")
        .help("1 while the channels broker is reachable, 0 while reconnecting")
        .callback(callback -> callback.call(endpoint.broker().connected() ? 1 : 0))
        .register(metrics);
    GaugeWithCallback.builder()
        .name("wharf_channel_members")
        .help("Clients of this node subscribed to the channel")
        .labelNames("channel")
        .callback(
            callback -> {
              for (ChannelActivity activity : endpoint.activity()) {
                callback.call(activity.localMembers(), activity.channel());
              }
            })
        .register(metrics);
    CounterWithCallback.builder()
        .name("wharf_channel_publications")
        .help("Publications this node received for the channel while subscribed")
        .labelNames("channel")
        .callback(
            callback -> {
              for (ChannelActivity activity : endpoint.activity()) {
                callback.call(activity.publications(), activity.channel());
              }
            })
        .register(metrics);
  }

  /** One scrape, in the text format. */
  byte[] scrape() throws IOException {
    var out = new ByteArrayOutputStream(4096);
    WRITER.write(out, metrics.scrape());
    return out.toByteArray();
  }
}
