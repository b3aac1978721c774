/**
 * DNS over Wharf's engine: the message codec ({@code dev.wharf.dns.codec}: no I/O) and a resolver
 * over UDP with TCP fallback ({@code dev.wharf.dns}).
 */
module dev.wharf.dns {
  requires transitive dev.wharf.core; // the resolver runs on core's loops, UDP and TCP

  exports dev.wharf.dns;
  exports dev.wharf.dns.codec;
  exports dev.wharf.dns.server;
}
