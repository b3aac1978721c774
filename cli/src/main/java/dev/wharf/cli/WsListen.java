package dev.wharf.cli;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.Handler;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpServer;
import dev.wharf.http.Request;
import dev.wharf.websocket.WebSocketListener;
import dev.wharf.websocket.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code wharf ws --listen}: a WebSocket server for one connection, joined to stdin and stdout as
 * {@code wharf listen} joins a TCP one. Any path upgrades; a plain request gets 426 (Upgrade
 * Required). Once a WebSocket is open the listening socket closes, and an upgrade that was already
 * on its way gets 503.
 */
final class WsListen {
  private final EventLoopGroup group;
  private final WsCommand.Options options;
  private final MessagePipe pipe;
  private final Story story;
  private final InputStream in;

  /** Handlers run on the one event loop: no lock needed. */
  private boolean taken;

  WsListen(
      EventLoopGroup group,
      WsCommand.Options options,
      MessagePipe pipe,
      Story story,
      InputStream in) {
    this.group = group;
    this.options = options;
    this.pipe = pipe;
    this.story = story;
    this.in = in;
  }

  int run() throws Exception {
    MessagePipe.Session session = pipe.newSession();
    var serverReady = new CompletableFuture<HttpServer>();
    Handler upgrade =
        WebSocketServer.handlerPerRequest(
            options.config(), request -> accept(request, session, serverReady));
    Handler busyOrUpgrade =
        (request, response) -> {
          if (taken) {
            response.sendError(503, "busy: this wharf ws --listen serves one WebSocket");
          } else {
            upgrade.handle(request, response);
          }
        };
    SocketAddress address = Endpoints.bindAddress(options.listen().orElseThrow(), story);
    HttpServer server = HttpServer.builder(group).fallback(busyOrUpgrade, false).bind(address);
    serverReady.complete(server);
    try {
      story.tell("listening on tcp " + Story.format(server.localAddress()));
      new StdinPump(in, ListenCommand.STREAM_CHUNK, pipe).start();
      WsEnding ending = session.ended().get();
      if (!ending.isClean()) {
        throw new IOException(ending.problem());
      }
      return 0;
    } finally {
      server.close();
    }
  }

  /** A valid upgrade: the first one gets the pipe's session; later ones are refused (403). */
  private Optional<WebSocketListener> accept(
      Request request, MessagePipe.Session session, CompletableFuture<HttpServer> serverReady) {
    if (taken) {
      return Optional.empty();
    }
    taken = true;
    if (story.isOn()) {
      story.tell("upgrade request from " + Story.format(request.remoteAddress()));
      story.tell("< " + request.method() + " " + request.target() + " " + request.version());
      for (Headers.Field field : request.headers().fields()) {
        story.tell("< " + field.name() + ": " + field.value());
      }
    }
    // One connection, as wharf listen without -k: stop accepting more.
    serverReady.thenAccept(HttpServer::close);
    return Optional.of(session);
  }
}
