/**
 * {@code wharf ws}: a WebSocket client ({@code ws URL}) or server ({@code ws --listen}) that sends
 * stdin's lines as messages and writes the messages it gets to stdout, as websocat does; how the
 * session ended (close code, reason, who closed) becomes the exit code. Also the echo endpoint that
 * {@code wharf serve} offers at {@code /ws/echo}, and the {@code -v} trace of the upgrade
 * handshake.
 *
 * <p>Threads: the command runs on the main thread and waits for the session to end; the WebSocket
 * listener callbacks and the handshake trace run on the connection's event loop; stdin is read on
 * the {@code wharf-stdin} thread and handed to the loop by {@link dev.wharf.cli.ws.MessagePipe};
 * Ctrl-C and SIGTERM close the session from a shutdown hook.
 */
package dev.wharf.cli.ws;
