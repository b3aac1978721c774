package dev.wharf.bench.fanout;

import dev.wharf.bench.ProcStats;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.websocket.WebSocketClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One server's run of the fan-out benchmark (bench/fanout/run starts the servers): one publisher
 * and N subscribers of one channel over WebSockets; the server's memory before and after the
 * subscribers connect; delivery latency at a steady publication rate; delivery rate of bursts.
 * Appends a row to the results file ({@link FanoutReport} reads them) and says what it measured on
 * stdout. Configured by system properties {@code fanout.*}, see bench/fanout/run.
 */
public final class FanoutBench {
  private static final String CHANNEL = "news";

  private final String name = prop("fanout.name", "server");
  private final FanoutWire wire = FanoutWire.of(prop("fanout.protocol", "wharf"));
  private final URI base = URI.create(prop("fanout.url", "ws://127.0.0.1:8000/"));
  private final int subscribers = Integer.parseInt(prop("fanout.subscribers", "10000"));
  private final double rate = Double.parseDouble(prop("fanout.rate", "10"));
  private final double warmup = Double.parseDouble(prop("fanout.warmup", "5"));
  private final double duration = Double.parseDouble(prop("fanout.duration", "20"));
  private final int burst = Integer.parseInt(prop("fanout.burst", "100"));
  private final int bursts = Integer.parseInt(prop("fanout.bursts", "3"));
  private final String padding = "x".repeat(Integer.parseInt(prop("fanout.padding", "64")));
  private final long serverPid = Long.parseLong(prop("fanout.serverPid", "-1"));
  private final long brokerPid = Long.parseLong(prop("fanout.brokerPid", "-1"));
  private final String heapSource = prop("fanout.heap", "");
  private final Path out = Path.of(prop("fanout.out", "fanout.tsv"));

  private FanoutClients clients;
  private FanoutClients.Publisher publisher;
  private long seq;

  public static void main(String[] args) throws Exception {
    new FanoutBench().run();
    System.exit(0); // the client's loop threads are daemons; say so plainly
  }

  private static String prop(String key, String fallback) {
    String value = System.getProperty(key);
    return value == null || value.isBlank() ? fallback : value;
  }

  private void run() throws Exception {
    try (var group = new EventLoopGroup(1, "fanout", true)) {
      clients = new FanoutClients(WebSocketClient.builder(group).build(), base, wire, CHANNEL);
      var memory = new ServerMemory(serverPid, heapSource);
      publisher = clients.publisher();
      ServerMemory.Sample before = memory.sample();
      long connectStart = System.nanoTime();
      clients.subscribe(subscribers, 256);
      double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
      say("%s: %d subscribers in %.1f s", name, subscribers, connectSeconds);
      settle();
      ServerMemory.Sample after = memory.sample();
      double rssPerConn = (after.rssBytes() - before.rssBytes()) / (double) subscribers;
      double heapPerConn =
          after.heapBytes() < 0
              ? Double.NaN
              : (after.heapBytes() - before.heapBytes()) / (double) subscribers;
      say("%s: %.0f B RSS and %.0f B heap per subscriber", name, rssPerConn, heapPerConn);

      steady(warmup);
      settle();
      clients.latency.reset();
      Phase steady = steady(duration);
      Histogram latency = clients.latency.getIntervalHistogram();
      say(
          "%s: at %.0f publications/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms;"
              + " %d of %d delivered",
          name,
          rate,
          ms(latency.getValueAtPercentile(50)),
          ms(latency.getValueAtPercentile(99)),
          ms(latency.getValueAtPercentile(99.9)),
          ms(latency.getMaxValue()),
          steady.delivered,
          steady.expected);

      var burstRates = new ArrayList<Double>();
      var perCpuSecond = new ArrayList<Double>();
      long lost = steady.expected - steady.delivered;
      Histogram burstLatency = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
      for (int i = 0; i < bursts; i++) {
        settle();
        clients.latency.reset();
        Phase b = burst();
        burstLatency.add(clients.latency.getIntervalHistogram());
        burstRates.add(b.delivered / b.seconds);
        perCpuSecond.add(b.delivered / Math.max(b.cpuSeconds, 0.01));
        lost += b.expected - b.delivered;
        say(
            "%s: burst of %d: %.0f deliveries/s, %.0f per server CPU-second, %d of %d delivered",
            name,
            burst,
            b.delivered / b.seconds,
            b.delivered / Math.max(b.cpuSeconds, 0.01),
            b.delivered,
            b.expected);
      }
      String row =
          String.join(
              "\t",
              name,
              Integer.toString(subscribers),
              fmt(connectSeconds),
              fmt(rssPerConn),
              fmt(heapPerConn),
              fmt(rate),
              fmt(ms(latency.getValueAtPercentile(50))),
              fmt(ms(latency.getValueAtPercentile(99))),
              fmt(ms(latency.getValueAtPercentile(99.9))),
              fmt(ms(latency.getMaxValue())),
              fmt(steady.delivered / steady.seconds),
              fmt(steady.delivered / Math.max(steady.cpuSeconds, 0.01)),
              Integer.toString(burst),
              fmt(median(burstRates)),
              fmt(median(perCpuSecond)),
              fmt(ms(burstLatency.getValueAtPercentile(99))),
              Long.toString(lost));
      Files.writeString(
          out,
          row + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      clients.closeAll();
    }
  }

  /** What a phase published and got: deliveries, its wall time to the last one, server CPU. */
  private record Phase(long expected, long delivered, double seconds, double cpuSeconds) {}

  /** Publishes at the steady rate for this long and waits for the deliveries. */
  private Phase steady(double seconds) {
    long first = clients.delivered.get();
    long cpu = serverCpuTicks();
    long start = System.nanoTime();
    long count = Math.max(1, Math.round(seconds * rate));
    long interval = (long) (1e9 / rate);
    for (long i = 0; i < count; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      publisher.publish(++seq, padding);
    }
    return finish(first, cpu, start, count);
  }

  /** Publishes {@code burst} publications back to back and waits for the deliveries. */
  private Phase burst() {
    long first = clients.delivered.get();
    long cpu = serverCpuTicks();
    long start = System.nanoTime();
    for (int i = 0; i < burst; i++) {
      publisher.publish(++seq, padding);
    }
    return finish(first, cpu, start, burst);
  }

  private Phase finish(long first, long cpu, long start, long published) {
    long expected = published * subscribers;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long lastCount = -1;
    long lastChange = System.nanoTime();
    // Until all came, or nothing came for 10 s (lost), or the deadline.
    while (clients.delivered.get() - first < expected && System.nanoTime() < deadline) {
      long now = clients.delivered.get();
      if (now != lastCount) {
        lastCount = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(10)) {
        break;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    long delivered = clients.delivered.get() - first;
    double seconds = Math.max(1e-6, (clients.lastDeliveryAt.get() - start) / 1e9);
    double cpuSeconds = (serverCpuTicks() - cpu) / (double) ProcStats.CLOCK_TICKS_PER_SECOND;
    return new Phase(expected, delivered, seconds, cpuSeconds);
  }

  /** Waits until the server (and broker) use less than a tenth of a CPU, for at most 30 s. */
  private void settle() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long previous = serverCpuTicks();
    while (System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
      long now = serverCpuTicks();
      if (now - previous <= ProcStats.CLOCK_TICKS_PER_SECOND / 20) {
        return;
      }
      previous = now;
    }
  }

  /** The server's and the broker's CPU time: the server side of the fan-out. */
  private long serverCpuTicks() {
    long ticks = ProcStats.cpuTicks(serverPid);
    if (brokerPid > 0) {
      ticks += ProcStats.cpuTicks(brokerPid);
    }
    return ticks;
  }

  private static double median(List<Double> values) {
    var sorted = values.stream().sorted().toList();
    return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
