/**
 * Load against one server: a {@link dev.wharf.load.LoadPlan} (what to send, to which {@link
 * dev.wharf.load.Target}, how hard and for how long) run by {@link dev.wharf.load.LoadTest}, which
 * returns a {@link dev.wharf.load.LoadReport}: latency percentiles, throughput over time, bytes and
 * {@link dev.wharf.load.ErrorKind errors by kind}.
 *
 * <p>Threads: {@link dev.wharf.load.LoadTest#run} runs on the caller's thread, which starts one
 * platform thread per {@link dev.wharf.load.LoadPlan#threads() worker} (each with its own selector
 * and share of the connections) and samples their counters until they end.
 */
package dev.wharf.load;
