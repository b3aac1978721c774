package dev.wharf.cli;

import dev.wharf.core.Client;
import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import dev.wharf.websocket.WebSocketClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Opens the transport under {@code wharf ws}'s WebSocket: resolves the host on a virtual thread
 * (telling {@code -v} what it resolved to), connects over TCP, and under {@code -v} wraps the
 * handshake in a {@link HandshakeTrace}.
 *
 * <p>{@code wss://} needs TLS, which this build does not have: such a connection fails with {@link
 * #TLS_UNAVAILABLE}. TLS plugs in at {@link #transport}: a client that speaks TLS with the trust
 * options of the command line ({@code --cacert}, {@code --insecure}, {@code --pin}) for {@code
 * secure} connections. The trace wraps the protocol handed to either, so it shows the plain
 * handshake in both cases.
 */
final class WsConnector implements WebSocketClient.Connector {
  static final String TLS_UNAVAILABLE =
      "wss:// needs TLS, which this wharf does not have yet; use ws://";

  private final Client tcp;
  private final Story story;

  WsConnector(Client tcp, Story story) {
    this.tcp = tcp;
    this.story = story;
  }

  @Override
  public CompletableFuture<Connection> connect(
      String host, int port, boolean secure, Protocol protocol) {
    Client client;
    try {
      client = transport(secure);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    var result = new CompletableFuture<Connection>();
    Thread.ofVirtual()
        .name("wharf-ws-resolve")
        .start(
            () -> {
              List<InetSocketAddress> addresses;
              try {
                addresses = Endpoints.resolve(new HostPort(host, port), IpFamily.ANY, story);
              } catch (UnknownHostException e) {
                result.completeExceptionally(e);
                return;
              }
              Protocol traced =
                  story.isOn() ? new HandshakeTrace(protocol, story, System.nanoTime()) : protocol;
              client
                  .connect(addresses, traced)
                  .whenComplete(
                      (connection, error) -> {
                        if (error != null) {
                          result.completeExceptionally(error);
                        } else {
                          result.complete(connection);
                        }
                      });
            });
    return result;
  }

  /** The client that opens a connection: plain TCP, or (once wharf has it) TLS for wss://. */
  private Client transport(boolean secure) throws IOException {
    if (secure) {
      throw new IOException(TLS_UNAVAILABLE);
    }
    return tcp;
  }
}
