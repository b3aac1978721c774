package dev.wharf.http.h2.server;

import dev.wharf.core.MemoryBudget;
import java.time.Duration;

/**
 * What an {@link Http2ServerConnection} grants and bounds.
 *
 * @param maxConcurrentStreams our SETTINGS_MAX_CONCURRENT_STREAMS; a stream past it is refused
 *     (REFUSED_STREAM), and a stream counts until its handler is done, even after a reset
 * @param initialWindowSize our SETTINGS_INITIAL_WINDOW_SIZE: what a client may send on a stream
 *     before we return window
 * @param connectionWindow the connection's receive window, raised from 65,535 at once
 * @param maxHeaderListSize our SETTINGS_MAX_HEADER_LIST_SIZE (431 past it)
 * @param idleTimeout how long a connection with no stream open may stay (then GOAWAY)
 * @param stallTimeout how long a response may wait for the client to open its window (the HTTP/2
 *     slowloris) before its stream is reset with CANCEL
 * @param settingsTimeout how long the client has to acknowledge our SETTINGS before the connection
 *     ends with GOAWAY SETTINGS_TIMEOUT (RFC 9113 §6.5.3)
 * @param shutdownPingTimeout on a graceful shutdown, how long to wait for the PING that follows the
 *     first GOAWAY to come back before the second GOAWAY names the last stream taken
 * @param budget what buffered request bodies of all connections may hold together
 */
public record Http2ServerSettings(
    int maxConcurrentStreams,
    int initialWindowSize,
    int connectionWindow,
    long maxHeaderListSize,
    Duration idleTimeout,
    Duration stallTimeout,
    Duration settingsTimeout,
    Duration shutdownPingTimeout,
    MemoryBudget budget) {

  /** 100 streams, 1 MiB stream windows, a 16 MiB connection window, 1 s for the shutdown PING. */
  public static Http2ServerSettings defaults(
      long maxHeaderListSize,
      Duration idleTimeout,
      Duration stallTimeout,
      Duration settingsTimeout,
      MemoryBudget budget) {
    return new Http2ServerSettings(
        100,
        1 << 20,
        16 << 20,
        maxHeaderListSize,
        idleTimeout,
        stallTimeout,
        settingsTimeout,
        Duration.ofSeconds(1),
        budget);
  }
}
