package dev.wharf.http.server;

import java.time.Duration;

/**
 * The deadlines that keep slow or silent clients (slowloris) from holding connections.
 *
 * @param requestHead time from the first byte of a request to the end of its head (408 after)
 * @param keepAliveIdle time a kept-alive connection may wait for its next request (closed after)
 * @param minBodyBytesPerSecond the slowest a body may arrive, measured each second over the last
 *     window the size of {@code requestHead} in whole seconds (at least 1), so a fast start buys no
 *     more than one window of silence (408 after); 0 turns it off
 * @param http2SettingsAck time an HTTP/2 client has to acknowledge our SETTINGS (RFC 9113 §6.5.3:
 *     GOAWAY SETTINGS_TIMEOUT after)
 */
public record HttpTimeouts(
    Duration requestHead,
    Duration keepAliveIdle,
    long minBodyBytesPerSecond,
    Duration http2SettingsAck) {
  // Before DEFAULTS, which uses it.
  private static final Duration DEFAULT_SETTINGS_ACK = Duration.ofSeconds(10);

  /**
   * 10 s for a head, 60 s between requests, bodies at 1 KiB/s at least, 10 s for a SETTINGS ACK.
   */
  public static final HttpTimeouts DEFAULTS =
      new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), 1024);

  public HttpTimeouts {
    if (requestHead.isNegative()
        || requestHead.isZero()
        || keepAliveIdle.isNegative()
        || keepAliveIdle.isZero()
        || minBodyBytesPerSecond < 0
        || http2SettingsAck.isNegative()
        || http2SettingsAck.isZero()) {
      throw new IllegalArgumentException("HTTP timeouts must be positive");
    }
  }

  /** With the default 10 s for an HTTP/2 client to acknowledge our SETTINGS. */
  public HttpTimeouts(Duration requestHead, Duration keepAliveIdle, long minBodyBytesPerSecond) {
    this(requestHead, keepAliveIdle, minBodyBytesPerSecond, DEFAULT_SETTINGS_ACK);
  }

  /** These timeouts with {@code value} for the HTTP/2 SETTINGS acknowledgement. */
  public HttpTimeouts withHttp2SettingsAck(Duration value) {
    return new HttpTimeouts(requestHead, keepAliveIdle, minBodyBytesPerSecond, value);
  }
}
