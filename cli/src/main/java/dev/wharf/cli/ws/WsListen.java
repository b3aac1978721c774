package dev.wharf.cli.ws;

import dev.wharf.cli.Endpoints;
import dev.wharf.cli.Story;
import dev.wharf.cli.io.StdinPump;
import dev.wharf.cli.tls.TlsStory;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.tls.TlsServerConfig;
import dev.wharf.http.Headers;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.HttpServer;
import dev.wharf.http.server.ServerRequest;
import dev.wharf.websocket.WebSocketListener;
import dev.wharf.websocket.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code wharf ws --listen}: a WebSocket server joined to stdin and stdout, as {@code wharf listen}
 * joins a TCP connection. Any path upgrades; a plain request gets 426 (Upgrade Required).
 *
 * <p>One peer at a time. Without keep-open the listening socket closes once a WebSocket is open and
 * the command ends with it. With keep-open (-k) the next peer is served after the current one
 * leaves, and an upgrade that comes meanwhile is answered 503 (busy) at once. Holding it unanswered
 * until its turn, as {@code wharf listen -k} holds a TCP connection, would look like a hang to the
 * client, and most clients give up on a handshake after a few seconds anyway; serving several at
 * once would interleave their messages on stdout with nothing to tell them apart, and leave stdin
 * without one destination.
 *
 * <p>Upgrades are decided on the server's one event loop and sessions end on their listener
 * threads: the peer being served is an {@link AtomicReference}.
 */
final class WsListen {
  private final EventLoopGroup group;
  private final WsCommand.Options options;
  private final Optional<TlsServerConfig> tls;
  private final MessagePipe pipe;
  private final Story story;
  private final InputStream in;

  /** The session being served, or null when the next upgrade may have it. */
  private final AtomicReference<MessagePipe.Session> serving = new AtomicReference<>();

  /** Whether a WebSocket was accepted, for one that must not take a second. */
  private volatile boolean servedOne;

  /** Completes with the exit status, or the failure to report. */
  private final CompletableFuture<Integer> finished = new CompletableFuture<>();

  WsListen(
      EventLoopGroup group,
      WsCommand.Options options,
      Optional<TlsServerConfig> tls,
      MessagePipe pipe,
      Story story,
      InputStream in) {
    this.group = group;
    this.options = options;
    this.tls = tls;
    this.pipe = pipe;
    this.story = story;
    this.in = in;
  }

  int run() throws Exception {
    var serverReady = new CompletableFuture<HttpServer>();
    Handler upgrade =
        WebSocketServer.handlerPerRequest(
            options.config(), request -> accept(request, serverReady));
    Handler busyOrUpgrade =
        (request, response) -> {
          if (isBusy()) {
            if (options.keepOpen()) {
              response.header("Retry-After", "1"); // Its turn may come: a try again is worth it.
            }
            response.sendError(503, "busy: this wharf ws --listen serves one WebSocket at a time");
          } else {
            upgrade.handle(request, response);
          }
        };
    SocketAddress address = Endpoints.bindAddress(options.listen().orElseThrow(), story);
    HttpServer.Builder builder = HttpServer.builder(group).fallback(busyOrUpgrade, false);
    tls.ifPresent(builder::tls);
    HttpServer server = builder.bind(address);
    serverReady.complete(server);
    try {
      story.tell(
          "listening on tcp "
              + Story.format(server.localAddress())
              + (tls.isPresent() ? " with TLS" : ""));
      new StdinPump(in, StdinPump.STREAM_CHUNK, pipe).start();
      return finished.get();
    } finally {
      server.close();
    }
  }

  private boolean isBusy() {
    return serving.get() != null || (servedOne && !options.keepOpen()) || pipe.receivedAll();
  }

  /**
   * A valid upgrade: gets a session of the pipe if no peer is being served; else it is refused
   * (403), which can happen only if two upgrades pass the busy check in one turn of the loop.
   */
  private Optional<WebSocketListener> accept(
      ServerRequest request, CompletableFuture<HttpServer> serverReady) {
    MessagePipe.Session session = pipe.newSession();
    if (isBusy() || !serving.compareAndSet(null, session)) {
      return Optional.empty();
    }
    servedOne = true;
    if (story.isOn()) {
      story.tell("upgrade request from " + Story.format(request.remoteAddress()));
      request.tlsSession().ifPresent(tls -> story.tell(TlsStory.describe(tls, false)));
      story.tell("< " + request.method() + " " + request.target() + " " + request.version());
      for (Headers.Field field : request.headers().fields()) {
        story.tell("< " + field.name() + ": " + field.value());
      }
    }
    if (!options.keepOpen()) {
      // One connection, as wharf listen without -k: stop accepting more.
      serverReady.thenAccept(HttpServer::close);
    }
    session.ended().thenAccept(ending -> ended(session, ending));
    return Optional.of(session);
  }

  /** A peer left: the command ends, or with keep-open the next peer may come. */
  private void ended(MessagePipe.Session session, WsEnding ending) {
    if (!options.keepOpen()
        || ending.error() instanceof MessagePipe.StdoutFailed
        || pipe.receivedAll()) {
      if (ending.isClean()) {
        finished.complete(0);
      } else {
        finished.completeExceptionally(new IOException(ending.problem()));
      }
      return;
    }
    if (!ending.isClean()) {
      story.tell(ending.problem() + "; waiting for the next peer");
    }
    serving.compareAndSet(session, null);
  }
}
