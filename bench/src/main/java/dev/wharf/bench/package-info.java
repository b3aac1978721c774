/**
 * The TCP echo benchmark and what the other runners share: {@link dev.wharf.bench.BenchRunner}
 * starts each echo server (Wharf, Netty) as its own pinned process and drives it with the {@link
 * dev.wharf.bench.LoadGen} process, then reports medians and ratios. Not part of the library.
 *
 * <p>Threads: each program runs on its {@code main} thread; a load generator is one platform thread
 * with one selector; servers run on their own event loops in their own processes. Processes talk
 * through their standard streams only.
 */
package dev.wharf.bench;
