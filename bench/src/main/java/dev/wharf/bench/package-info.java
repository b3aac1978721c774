/**
 * The benchmark harness and the TCP echo benchmark. {@link dev.wharf.bench.Harness} is the one
 * runner skeleton: for each scenario and server of a {@link dev.wharf.bench.Harness.Kind} (echo
 * here, http, ws and tls in the sub-packages) it starts the server pinned to its core ({@link
 * dev.wharf.bench.ServerProcess}), lets the kind drive it, and renders the {@link
 * dev.wharf.bench.Report} of medians and Wharf's ratios. Generators (one core, {@link
 * dev.wharf.bench.load}) print timed windows that {@link dev.wharf.bench.GeneratorWindows} turns
 * into figures with the server's CPU and allocation. {@link dev.wharf.bench.BenchRunner} is the
 * echo kind, {@link dev.wharf.bench.LoadGen} its generator. Not part of the library.
 *
 * <p>Threads: each program runs on its {@code main} thread; a load generator is one platform thread
 * with one selector; servers run on their own event loops in their own processes. Processes talk
 * through their standard streams only.
 */
package dev.wharf.bench;
