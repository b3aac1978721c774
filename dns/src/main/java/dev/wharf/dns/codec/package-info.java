/**
 * The DNS wire format (RFC 1035 §4 with RFC 3596, 2782, 3597, 6891, 7766, 8659, 9460): messages,
 * names with compression, the record types Wharf prints, EDNS(0), and TCP's length framing. No I/O,
 * no threads, no clock: {@link dev.wharf.dns.codec.DnsMessageReader} turns octets into a {@link
 * dev.wharf.dns.codec.Message} or a {@link dev.wharf.dns.codec.DnsFormatException}, and {@link
 * dev.wharf.dns.codec.DnsMessageWriter} turns a message into octets. The values are immutable and
 * may be shared between threads; the frame decoder belongs to one connection.
 */
package dev.wharf.dns.codec;
