/**
 * The engine: event loops ({@link dev.wharf.core.EventLoopGroup}), TCP servers and clients, UDP
 * endpoints, and the {@link dev.wharf.core.Connection} a {@link dev.wharf.core.Protocol} reads from
 * and writes to. No dependencies beyond the JDK.
 *
 * <p>Threads: a channel belongs to one event loop for life and only that loop's thread touches its
 * state. Every {@code Protocol} and {@code DatagramHandler} callback runs on that loop and must not
 * block. The public API ({@code Connection} methods, {@code execute}, {@code schedule}, builders,
 * {@code close}) may be called from any thread; calls made off the loop hop to it as tasks. Futures
 * complete on a loop thread, so their callbacks must not block. {@code EventLoopGroup.close()} must
 * not be called on a loop thread. docs/CONCURRENCY.md has the full table.
 */
package dev.wharf.core;
