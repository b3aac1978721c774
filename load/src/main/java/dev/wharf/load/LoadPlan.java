package dev.wharf.load;

import java.time.Duration;
import java.util.List;

/**
 * What to run: the {@link Target}, {@code connections} spread over {@code threads} workers, for
 * {@code duration} or until {@code requests} have been answered (whichever is set; the other is
 * {@code null} or 0), after {@code warmup} whose results are dropped.
 *
 * <p>{@code rate} above 0 sends that many requests per second in all, on a fixed schedule, and
 * measures each latency from when its request should have gone out (coordinated-omission
 * correction, as wrk2); 0 is closed-loop (as wrk): each connection sends its next request the
 * moment an answer comes. {@code pipeline} requests may be in flight on one connection.
 *
 * <p>HTTP: {@code method}, extra {@code headers} ({@code "Name: value"}) and {@code body}.
 * WebSocket and TCP: messages of {@code messageSize} bytes, echoed. {@code timeout} bounds a
 * connect and the wait for an answer. {@code insecure} accepts any certificate (for self-signed
 * test servers). {@code hold}, for ws:// and wss:// only, holds the connections open instead of
 * echoing (see {@link Hold}). {@code http2}, for http:// and https:// only, speaks HTTP/2
 * (cleartext with prior knowledge, or ALPN h2 over TLS): {@code pipeline} is then the streams one
 * connection keeps in flight, each replaced as soon as it ends. Immutable; the constructor checks
 * every bound.
 */
public record LoadPlan(
    Target target,
    int connections,
    int threads,
    Duration duration,
    long requests,
    Duration warmup,
    double rate,
    int pipeline,
    String method,
    List<String> headers,
    byte[] body,
    int messageSize,
    Duration timeout,
    boolean insecure,
    Hold hold,
    boolean http2) {

  /**
   * A WebSocket load that holds its connections rather than echoing (C10K): each connection sends
   * {@code greeting} once after the upgrade (a text message, such as a channels subscribe; none
   * when empty), then a Ping every {@code pingEvery}; a request is a Ping and its answer the Pong,
   * timed. Every text message the server sends is counted, and one carrying {@code "sentMicros":N}
   * (N: microseconds since the epoch, when it was sent) is timed from then: the latency of a
   * broadcast to every connection. {@link #OFF} echoes as usual.
   */
  public record Hold(Duration pingEvery, String greeting) {
    /** No holding: the usual echo. */
    public static final Hold OFF = new Hold(Duration.ZERO, "");

    public Hold {
      if (pingEvery.isNegative()) {
        throw new IllegalArgumentException("the ping interval must not be negative");
      }
    }

    /** A hold that pings every {@code pingEvery} (above 0) after sending {@code greeting}. */
    public static Hold pinging(Duration pingEvery, String greeting) {
      if (pingEvery.isZero()) {
        throw new IllegalArgumentException("the ping interval must be above 0");
      }
      return new Hold(pingEvery, greeting);
    }

    public boolean isOn() {
      return !pingEvery.isZero();
    }
  }

  /** The most connections one run opens: far above what a process's descriptors allow here. */
  public static final int MAX_CONNECTIONS = 1_000_000;

  public LoadPlan {
    if (connections < 1 || connections > MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          "connections must be 1 to " + MAX_CONNECTIONS + ", got " + connections);
    }
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads must be 1 to 1024, got " + threads);
    }
    if ((duration == null) == (requests <= 0)) {
      throw new IllegalArgumentException("give either a duration or a number of requests");
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("duration must be above 0");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup must not be negative");
    }
    if (!(rate >= 0) || rate > 100_000_000) {
      throw new IllegalArgumentException("rate must be 0 (closed loop) to 1e8 per second");
    }
    if (pipeline < 1 || pipeline > 1024) {
      throw new IllegalArgumentException("pipeline must be 1 to 1024, got " + pipeline);
    }
    if (messageSize < 1 || messageSize > 16 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "message size must be 1 byte to 16 MiB, got " + messageSize);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be above 0");
    }
    if (hold.isOn()) {
      if (!target.scheme().isWebSocket()) {
        throw new IllegalArgumentException("holding connections is for ws:// and wss:// only");
      }
      if (rate > 0 || pipeline != 1) {
        throw new IllegalArgumentException("a hold sends one ping at a time: no rate, no pipeline");
      }
    }
    if (http2 && !target.scheme().isHttp()) {
      throw new IllegalArgumentException("HTTP/2 is for http:// and https:// only");
    }
    headers = List.copyOf(headers);
    body = body == null ? new byte[0] : body.clone();
    threads = Math.min(threads, connections);
  }

  /** A closed-loop plan of {@code connections} for {@code duration}, HTTP GET, 64-byte messages. */
  public static LoadPlan of(Target target, int connections, Duration duration) {
    return new LoadPlan(
        target,
        connections,
        1,
        duration,
        0,
        Duration.ZERO,
        0,
        1,
        "GET",
        List.of(),
        new byte[0],
        64,
        Duration.ofSeconds(10),
        false,
        Hold.OFF,
        false);
  }

  /** This plan with {@code n} requests instead of a duration. */
  public LoadPlan withRequests(long n) {
    return new LoadPlan(
        target,
        connections,
        threads,
        null,
        n,
        warmup,
        rate,
        pipeline,
        method,
        headers,
        body,
        messageSize,
        timeout,
        insecure,
        hold,
        http2);
  }

  /** This plan holding its connections as {@code hold} says. */
  public LoadPlan withHold(Hold hold) {
    return new LoadPlan(
        target,
        connections,
        threads,
        duration,
        requests,
        warmup,
        rate,
        pipeline,
        method,
        headers,
        body,
        messageSize,
        timeout,
        insecure,
        hold,
        http2);
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
