package dev.wharf.bench.ws;

import dev.wharf.bench.http.BoundServer;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.server.HttpServer;
import dev.wharf.websocket.DeflateOptions;
import dev.wharf.websocket.EchoListeners;
import dev.wharf.websocket.WebSocketConfig;
import dev.wharf.websocket.WebSocketServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * WebSocket echo on Wharf, as a user writes it: an {@link HttpServer} route that upgrades with
 * {@link WebSocketServer#handler}, and {@link EchoListeners#whole} sending each message back from
 * the event loop. Wharf's defaults otherwise (4 MiB messages, UTF-8 checked, a ping after 30 s of
 * silence, 1 MiB outbound limit); {@code deflate} accepts permessage-deflate with {@link
 * DeflateOptions#DEFAULTS} (level 6, context takeover both ways, messages under 32 bytes left
 * alone).
 */
final class WharfWsEchoServer {
  private WharfWsEchoServer() {}

  static BoundServer start(InetSocketAddress address, int loops, boolean deflate)
      throws IOException {
    WebSocketConfig config =
        deflate
            ? WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).build()
            : WebSocketConfig.DEFAULTS;
    var group = new EventLoopGroup(loops, "wharf-ws", false);
    HttpServer server;
    try {
      server =
          HttpServer.builder(group)
              .get(WsServerMain.PATH, WebSocketServer.handler(config, EchoListeners::whole))
              .bind(address);
    } catch (IOException | RuntimeException e) {
      group.close();
      throw e;
    }
    return new BoundServer(
        server.port(),
        () -> {
          server.close();
          group.shutdownGracefully(Duration.ofSeconds(2)).join();
        });
  }
}
