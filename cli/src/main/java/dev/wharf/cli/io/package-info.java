/**
 * Stdin and stdout for the commands that relay bytes: {@link dev.wharf.cli.io.StdinPump} reads
 * stdin on its own thread into a sink, {@link dev.wharf.cli.io.StreamPipe} and {@link
 * dev.wharf.cli.io.DatagramPipe} join it to a stream or datagram connection, {@link
 * dev.wharf.cli.io.StdoutSink} writes what arrives, {@link dev.wharf.cli.io.LineSplitter} cuts
 * stdin into lines for message-per-line commands, and {@link dev.wharf.cli.io.BufferedLines}
 * gathers a table's lines into few writes.
 *
 * <p>Threads: a pump's sink is called on the {@code wharf-stdin} thread; a pipe's protocol or
 * handler side runs on its connection's event loop. The pipes hand stdin's chunks to the loop with
 * {@code Connection.execute}, and say in each class which fields each thread owns.
 */
package dev.wharf.cli.io;
