package dev.wharf.dns;

import dev.wharf.core.Transport;
import dev.wharf.dns.codec.Message;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * An answer that matched its query: the message, the server and transport it came over, its size in
 * octets, and how long the exchange that brought it took (dig's "Query time").
 *
 * <p>Immutable; any thread.
 */
public record DnsResponse(
    Message message, InetSocketAddress server, Transport transport, int size, Duration elapsed) {
  public DnsResponse {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(elapsed, "elapsed");
  }
}
