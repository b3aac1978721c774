/**
 * Real-time channels over WebSocket: a JSON protocol ({@code dev.wharf.channels.protocol}) with
 * per-channel offsets, history, recovery after a reconnect and presence, served at a route of an
 * HTTP server, and the {@link dev.wharf.channels.Broker} that carries publications between nodes
 * (in memory for one node). {@code dev.wharf.channels.internal} (the sessions and the node's hub)
 * is not exported.
 */
module dev.wharf.channels {
  requires transitive dev.wharf.websocket; // Channels hands out an HTTP handler that upgrades
  requires com.fasterxml.jackson.core; // the protocol's JSON, streamed
  requires com.nimbusds.jose.jwt; // JwtVerifier: JWT parsing and HS256/RS256 signatures

  exports dev.wharf.channels;
  exports dev.wharf.channels.protocol;
}
