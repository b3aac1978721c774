/**
 * Data structures of the event loop: the {@link dev.wharf.core.internal.TimerWheel} and the {@link
 * dev.wharf.core.internal.BufferPool} of write segments. Public only so that other core packages
 * and the benchmarks on the class path can reach them; not an API, and not exported by the module.
 *
 * <p>Threads: not thread-safe. Each instance is owned by one event loop (or one test) and used only
 * on its thread.
 */
package dev.wharf.core.internal;
