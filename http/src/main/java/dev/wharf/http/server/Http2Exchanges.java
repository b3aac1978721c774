package dev.wharf.http.server;

import dev.wharf.core.Connection;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.RequestHead;
import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.server.Http2Requests;
import dev.wharf.http.h2.server.Http2ServerConnection;
import dev.wharf.http.h2.server.Http2ServerSettings;
import dev.wharf.http.h2.server.Http2ServerStream;
import java.time.Instant;

/**
 * Plugs the server's routes and handlers into an HTTP/2 connection: each stream's request becomes a
 * {@link ServerRequest} and a {@link ServerResponse} over an {@link Http2ResponseSink}, answered
 * through the same {@link Dispatcher} as HTTP/1.1, and logged the same way.
 */
final class Http2Exchanges implements Http2Requests {
  private final HttpServer.Config config;
  private final Dispatcher dispatcher;
  private final ServerResponse.Completion completion = this::completed;
  private Connection connection;
  private TlsSession tls;

  private Http2Exchanges(HttpServer.Config config) {
    this.config = config;
    this.dispatcher = new Dispatcher(config);
  }

  /** A new HTTP/2 server connection answering with {@code config}'s routes. */
  static Http2ServerConnection protocol(HttpServer.Config config) {
    var exchanges = new Http2Exchanges(config);
    var settings =
        Http2ServerSettings.defaults(
            config.limits().maxHeaderBytes(),
            config.timeouts().keepAliveIdle(),
            config.timeouts().requestHead(),
            config.timeouts().http2SettingsAck(),
            config.budget());
    return new Http2ServerConnection(settings, exchanges);
  }

  @Override
  public BodyPolicy bodyPolicy(RequestHead head) {
    String target = head.target();
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    if (config.routes().anyStreaming()
        && config.routes().find(head.method(), path) instanceof Routes.Found found
        && found.route().streaming()) {
      return new BodyPolicy(found.route().maxBodyBytes(), true);
    }
    return new BodyPolicy(config.limits().maxBodyBytes(), false);
  }

  @Override
  public void request(Http2ServerStream stream) {
    ServerResponse response = exchange(stream);
    dispatcher.dispatch(
        response.request(), response, failure -> stream.reset(ErrorCode.INTERNAL_ERROR));
  }

  @Override
  public void refuse(Http2ServerStream stream, int status, String message) {
    ServerResponse response = exchange(stream);
    if (status == 503) {
      response.header("Retry-After", Dispatcher.RETRY_AFTER_SECONDS);
    }
    response.sendError(status, message);
  }

  private ServerResponse exchange(Http2ServerStream stream) {
    if (connection == null) {
      connection = stream.connection();
      tls = TlsSession.of(connection).orElse(null);
    }
    var request =
        new ServerRequest(
            stream.head(),
            stream.bodyPipe() == null ? stream.body() : EMPTY,
            stream.bodyPipe(),
            connection.remoteAddress(),
            connection.localAddress(),
            tls);
    var response =
        new ServerResponse(
            connection,
            new Http2ResponseSink(stream),
            request,
            true,
            config.accessLog() == null ? null : Instant.now(),
            completion,
            Headers.builder());
    stream.onWritable(response::writableAgain);
    stream.onRequestTrailers(request::trailers);
    streams.put(response, stream);
    return response;
  }

  private final java.util.IdentityHashMap<ServerResponse, Http2ServerStream> streams =
      new java.util.IdentityHashMap<>();

  /** On the loop: the response ended. */
  private void completed(ServerResponse response) {
    Http2ServerStream stream = streams.remove(response);
    if (stream == null) {
      return;
    }
    ServerRequest request = response.request();
    if (request.isBodyStreamed()) {
      request.stream().close(); // What the handler left unread is dropped.
    }
    stream.finished();
    if (config.accessLog() != null) {
      config
          .accessLog()
          .accept(
              new AccessLogEntry(
                  connection.remoteAddress(),
                  response.started(),
                  request.toString(),
                  response.status(),
                  response.bodyBytes(),
                  request.header("User-Agent").orElse("")));
    }
  }

  private static final byte[] EMPTY = new byte[0];
}
