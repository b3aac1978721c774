/**
 * A DNS stub resolver on Wharf's engine: {@link dev.wharf.dns.DnsResolver} asks over UDP (core's
 * {@code DatagramEndpoint}) and falls back to TCP (core's {@code Client}) for truncated answers,
 * with servers from {@link dev.wharf.dns.ResolvConf} or given. Queries run on virtual threads;
 * datagrams and TCP bytes arrive on the loops, which complete what the query's thread waits for.
 * The wire format is {@code dev.wharf.dns.codec}.
 */
package dev.wharf.dns;
