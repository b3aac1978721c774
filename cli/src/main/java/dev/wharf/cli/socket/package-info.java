/**
 * The raw socket commands, as netcat's: {@code wharf connect} (a TCP, UDP or Unix-socket client,
 * TLS if asked), {@code wharf listen} (the server side, one peer at a time) and {@code wharf echo}
 * (an echo server for many peers), with the host, port and transport arguments they share.
 *
 * <p>Threads: a command parses and binds or connects on the main thread, then blocks it until the
 * conversation ends. Bytes from the peer are handled on the connection's event loop and bytes from
 * stdin on the {@code wharf-stdin} pump thread (the pipes of {@code dev.wharf.cli.io}).
 */
package dev.wharf.cli.socket;
