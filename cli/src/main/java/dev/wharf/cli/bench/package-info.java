/**
 * {@code wharf bench URL}: the command over the load engine ({@code dev.wharf.load}): its options
 * read into a {@link dev.wharf.load.LoadPlan}, a progress line on a terminal's stderr, and the
 * report as text, JSON ({@link dev.wharf.cli.bench.BenchJson}) or a self-contained HTML page with
 * its charts drawn in inline SVG ({@link dev.wharf.cli.bench.BenchHtml}).
 *
 * <p>Threads: the command runs the load on its own thread (the engine starts its workers); the
 * progress line is written from that thread at each tick; a shutdown hook (Ctrl-C) stops the run
 * and waits for the report to be written.
 */
package dev.wharf.cli.bench;
