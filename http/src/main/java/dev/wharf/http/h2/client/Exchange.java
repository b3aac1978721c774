package dev.wharf.http.h2.client;

import dev.wharf.http.HttpUrl;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.ResponseListener;
import java.time.Duration;

/**
 * One request handed to an {@link Http2ClientConnection}, with what the client knows of how it got
 * there (for {@link dev.wharf.http.client.ExchangeTimings}). Immutable.
 *
 * @param request what to send
 * @param url the request's URL, already checked
 * @param listener told of the response, on the connection's loop
 * @param reused whether the connection carried an earlier exchange
 * @param resolve time the connect spent resolving (zero when reused)
 * @param connect time the connect took, TLS included (zero when reused)
 * @param startNanos when the exchange began ({@link System#nanoTime()})
 * @param responseTimeout the longest the response may take once sent; zero for no limit
 */
public record Exchange(
    ClientRequest request,
    HttpUrl url,
    ResponseListener listener,
    boolean reused,
    Duration resolve,
    Duration connect,
    long startNanos,
    Duration responseTimeout) {}
