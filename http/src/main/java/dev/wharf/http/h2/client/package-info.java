/**
 * The client side of HTTP/2 (RFC 9113): {@link dev.wharf.http.h2.client.Http2ClientConnection}
 * carries many exchanges of {@link dev.wharf.http.client.HttpClient} over one connection, each on
 * its own stream, on the connection's event loop. Not exported: HttpClient is its only user.
 */
package dev.wharf.http.h2.client;
