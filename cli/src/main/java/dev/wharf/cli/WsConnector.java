package dev.wharf.cli;

import dev.wharf.core.Client;
import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import dev.wharf.websocket.WebSocketClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Opens the transport under {@code wharf ws}'s WebSocket: resolves the host on a virtual thread
 * (telling {@code -v} what it resolved to), connects over TCP, or over TLS for {@code wss://} with
 * the trust options of the command line ({@code --cacert}, {@code --insecure}, {@code --pin}), and
 * under {@code -v} wraps the handshake in a {@link HandshakeTrace}. The trace wraps the protocol
 * that TLS carries, so it shows the plain handshake either way.
 */
final class WsConnector implements WebSocketClient.Connector {
  private final Client tcp;
  private final Optional<Client> tls;
  private final Story story;

  /**
   * @param tls the client for {@code wss://}, made from the TLS options (empty for a ws:// URL)
   */
  WsConnector(Client tcp, Optional<Client> tls, Story story) {
    this.tcp = tcp;
    this.tls = tls;
    this.story = story;
  }

  @Override
  public CompletableFuture<Connection> connect(
      String host, int port, boolean secure, Protocol protocol) {
    Client client = secure ? tls.orElse(null) : tcp;
    if (client == null) {
      return CompletableFuture.failedFuture(new IOException("wss:// without a TLS client"));
    }
    var result = new CompletableFuture<Connection>();
    Thread.ofVirtual()
        .name("wharf-ws-resolve")
        .start(
            () -> {
              List<InetSocketAddress> addresses;
              try {
                addresses = Endpoints.resolve(new HostPort(host, port), IpFamily.ANY, story);
              } catch (UnknownHostException | IllegalArgumentException e) {
                // A port out of range too: failed here, it ends the command, not this thread.
                result.completeExceptionally(e);
                return;
              }
              Protocol traced =
                  story.isOn() ? new HandshakeTrace(protocol, story, System.nanoTime()) : protocol;
              // The host as given is the name TLS asks for (SNI) and checks the certificate
              // against.
              client
                  .connect(host, addresses, traced)
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
}
