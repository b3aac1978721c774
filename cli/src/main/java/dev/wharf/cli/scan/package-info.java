/**
 * {@code wharf scan}: the command line over {@code dev.wharf.scan}'s TCP connect scan, with
 * nmap-like and JSON output and a progress line on a terminal.
 *
 * <p>Threads: the command resolves the host and runs the scan on the main thread; probes finish on
 * the event loops, which only count for the progress line, written by a {@code wharf-progress}
 * daemon thread.
 */
package dev.wharf.cli.scan;
