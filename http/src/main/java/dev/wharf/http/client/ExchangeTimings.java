package dev.wharf.http.client;

import dev.wharf.core.tls.TlsSession;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * How one client exchange went on the wire, for {@code wharf get -v} and {@code --write-out}.
 *
 * @param reused whether a kept-alive connection carried it
 * @param resolve time to resolve the host name (zero when reused or an address was given)
 * @param local our address (with the ephemeral port)
 * @param remote the server's address
 * @param connect time to connect, TLS handshake included (zero when reused)
 * @param firstByte time from sending to the first byte of the response
 * @param total time from start to the end of the response
 * @param tls what the TLS handshake agreed on, for https
 */
public record ExchangeTimings(
    boolean reused,
    Duration resolve,
    SocketAddress local,
    SocketAddress remote,
    Duration connect,
    Duration firstByte,
    Duration total,
    Optional<TlsSession> tls) {}
