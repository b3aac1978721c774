/**
 * An authoritative DNS server (work in progress): {@link dev.wharf.dns.server.ZoneFileParser} reads
 * RFC 1035 master files into {@link dev.wharf.dns.server.Zone}s, {@link
 * dev.wharf.dns.server.Authority} answers from them, and {@link dev.wharf.dns.server.DnsServer}
 * serves it over UDP and TCP. Parsing runs on the caller's thread; answers are computed on the loop
 * a datagram or connection belongs to, from immutable zones.
 */
package dev.wharf.dns.server;
