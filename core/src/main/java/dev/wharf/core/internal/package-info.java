/**
 * Data structures of the event loop that are public only so that {@code dev.wharf.core} and the
 * benchmarks can reach them: the {@link dev.wharf.core.internal.TimerWheel} and the {@link
 * dev.wharf.core.internal.BufferPool} of write segments. Not an API.
 *
 * <p>Threads: not thread-safe. Each instance is owned by one event loop (or one test) and used only
 * on its thread.
 */
package dev.wharf.core.internal;
