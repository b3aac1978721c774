/**
 * {@code wharf ping} (ICMP echo through {@code dev.wharf.packets}, or TCP handshakes) with iputils'
 * output ({@link dev.wharf.cli.packets.PingStatistics}).
 *
 * <p>Threads: the main thread sends, waits and prints; a shutdown hook prints the summary on
 * Ctrl-C, under the statistics' lock.
 */
package dev.wharf.cli.packets;
