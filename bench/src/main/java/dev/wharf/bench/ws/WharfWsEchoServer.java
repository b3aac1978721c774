package dev.wharf.bench.ws;

import dev.wharf.bench.http.BoundServer;
import dev.wharf.bench.http.WharfServers;
import dev.wharf.http.server.HttpServer;
import dev.wharf.websocket.DeflateOptions;
import dev.wharf.websocket.EchoListeners;
import dev.wharf.websocket.WebSocketConfig;
import dev.wharf.websocket.WebSocketServer;
import java.net.InetSocketAddress;

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

  static BoundServer start(InetSocketAddress address, int loops, boolean deflate) throws Exception {
    WebSocketConfig config =
        deflate
            ? WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).build()
            : WebSocketConfig.DEFAULTS;
    return WharfServers.start(
        loops,
        "wharf-ws",
        group ->
            HttpServer.builder(group)
                .get(WsServerMain.PATH, WebSocketServer.handler(config, EchoListeners::whole))
                .bind(address),
        HttpServer::port);
  }
}
