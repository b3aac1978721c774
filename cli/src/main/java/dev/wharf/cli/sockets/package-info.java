/**
 * {@code wharf sockets}: the machine's sockets as {@code ss} lists them, read through {@code
 * dev.wharf.inspect}, with ss's filters ({@link dev.wharf.cli.sockets.SocketFilter}), aligned
 * columns ({@link dev.wharf.cli.sockets.SocketTable}), a summary ({@link
 * dev.wharf.cli.sockets.SocketSummary}) and JSON ({@link dev.wharf.cli.sockets.SocketJson}).
 *
 * <p>Threads: everything runs on the main thread, once; nothing is started.
 */
package dev.wharf.cli.sockets;
