/**
 * Real-time channels over WebSocket: a JSON protocol ({@code dev.wharf.channels.protocol}) with
 * per-channel offsets, history, recovery after a reconnect and presence, served at a route of an
 * HTTP server, and the {@link dev.wharf.channels.Broker} that carries publications between nodes
 * (in memory for one node; on Redis or NATS for many). {@code dev.wharf.channels.internal} (the
 * sessions and the node's hub) is not exported.
 */
module dev.wharf.channels {
  requires transitive dev.wharf.websocket; // Channels hands out an HTTP handler that upgrades
  requires com.fasterxml.jackson.core; // the protocol's JSON, streamed
  requires redis.clients.jedis; // the Redis broker
  requires io.nats.jnats; // the NATS broker
  // Jedis is an automatic module: the named modules it needs are resolved only when some
  // descriptor requires them, so this one names them (the pool, the logging API, and the JSON and
  // token-auth libraries its client classes link to).
  requires org.apache.commons.pool2;
  requires org.slf4j;
  requires com.google.gson;
  requires org.json;
  requires redis.clients.authentication.core;
  requires com.nimbusds.jose.jwt; // JwtVerifier: JWT parsing and HS256/RS256 signatures

  exports dev.wharf.channels;
  exports dev.wharf.channels.protocol;
  exports dev.wharf.channels.redis;
  exports dev.wharf.channels.nats;
}
