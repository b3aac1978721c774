/**
 * The HTTP/1.1 client: {@link dev.wharf.http.client.HttpClient} sends a {@link
 * dev.wharf.http.client.ClientRequest} over a pool of kept-alive connections (plain or TLS),
 * follows redirects and completes a {@link dev.wharf.http.client.ClientResponse}, or streams the
 * answer to a {@link dev.wharf.http.client.ResponseListener}. A request body is bytes or a streamed
 * {@link dev.wharf.http.client.RequestBody}; {@link dev.wharf.http.client.ExchangeTimings} says
 * where the time went.
 *
 * <p>Threads: {@code HttpClient} is thread-safe. {@code Http1ClientProtocol}, the {@code
 * ResponseListener} callbacks and the completion of the response future run on the connection's
 * event loop: they must not block. A streamed request body is read on a virtual thread ({@code
 * wharf-http-body}, {@code BodyPump}).
 */
package dev.wharf.http.client;
