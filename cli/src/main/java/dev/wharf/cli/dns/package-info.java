/**
 * {@code wharf dns}: the dig-like client. {@link dev.wharf.cli.dns.DnsArgs} parses dig's words,
 * {@link dev.wharf.cli.dns.DnsCommand} asks through {@code dev.wharf.dns.DnsResolver} and prints
 * with {@code DigText} (dig's layout, {@code +short}) or {@code DnsJson}. Runs on the command's
 * main thread, which waits for the resolver's virtual thread; formatting is pure.
 */
package dev.wharf.cli.dns;
