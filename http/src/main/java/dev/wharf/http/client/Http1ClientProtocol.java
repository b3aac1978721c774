package dev.wharf.http.client;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ConnectionTimeoutException;
import dev.wharf.core.Durations;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.HttpUrl;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.codec.Http1RequestEncoder;
import dev.wharf.http.codec.Http1ResponseDecoder;
import dev.wharf.http.codec.MessageParseException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;

/**
 * The client side of HTTP/1.1 on one connection: one exchange at a time, the connection going back
 * to its pool when the response allows keep-alive.
 *
 * <p>The server's FIN ends the conversation: it ends a body delimited by the close, fails an
 * exchange it cuts short, and the connection closes (a server sends no more after it).
 *
 * <p>Runs on the connection's loop; {@link #send} hands over from any thread.
 */
final class Http1ClientProtocol implements Protocol, Http1ResponseDecoder.Sink {

  /** Told when the connection is free again, or gone. */
  interface Pool {
    void release(Http1ClientProtocol protocol);

    void remove(Http1ClientProtocol protocol);
  }

  /** One request in flight. */
  private record Exchange(
      ClientRequest request,
      ResponseListener listener,
      boolean reused,
      Duration resolve,
      Duration connect,
      long startNanos) {}

  private final HttpClient.Origin origin;
  private final Pool pool;
  private final Http1ResponseDecoder decoder = new Http1ResponseDecoder(HttpLimits.DEFAULTS);
  private Connection connection;
  private Exchange current;

  /**
   * The decoder met a response after the one asked for, in the same read: the server sent what no
   * request asked, so the connection closes once the read is decoded.
   */
  private boolean unasked;

  private ResponseHead head;
  private long sentNanos;
  private long firstByteNanos;
  private Cancellable responseTimer;
  private BodyPump pump; // the streamed body being sent, if any

  /** The body waits for {@code 100 Continue}, or {@link #continueTimer}, or a final answer. */
  private boolean awaitingContinue;

  private Cancellable continueTimer;

  Http1ClientProtocol(HttpClient.Origin origin, Pool pool) {
    this.origin = origin;
    this.pool = pool;
  }

  HttpClient.Origin origin() {
    return origin;
  }

  boolean isUsable() {
    return connection != null && connection.isOpen() && current == null;
  }

  /** Closes an idle connection (the client is closing). */
  void close() {
    if (connection != null) {
      connection.close();
    }
  }

  @Override
  public String name() {
    return "http/1.1 client";
  }

  @Override
  public void opened(Connection c) {
    this.connection = c;
  }

  /** Sends a request whose head {@link #encodeHead} made; any thread. */
  void send(
      ClientRequest request,
      byte[] requestHead,
      ResponseListener listener,
      boolean reused,
      Duration resolve,
      Duration connect,
      long startNanos,
      Duration responseTimeout) {
    connection.execute(
        () -> {
          if (!connection.isOpen()) {
            var closed = new IOException("connection closed before the request was sent");
            listener.failed(
                reused ? new StaleConnectionException(request.method(), closed) : closed);
            return;
          }
          current = new Exchange(request, listener, reused, resolve, connect, startNanos);
          awaitingContinue = false;
          head = null;
          firstByteNanos = 0;
          decoder.expect(request.method());
          listener.connected(connection.localAddress(), connection.remoteAddress(), reused);
          if (!reused) {
            TlsSession.of(connection).ifPresent(listener::tlsEstablished);
          }
          listener.streamOpened("HTTP/1.1", 0);
          listener.requestHead(ByteBuffer.wrap(requestHead).asReadOnlyBuffer());
          connection.write(requestHead);
          if (request.expectsContinue() && request.body().length() != 0) {
            // RFC 9110 §10.1.1: the body follows the server's 100, or a short wait for it.
            awaitingContinue = true;
            continueTimer =
                connection.schedule(ClientRequest.EXPECT_CONTINUE_TIMEOUT, this::continueBody);
          } else if (!sendBodyOrFail(request.body())) {
            return;
          }
          sentNanos = System.nanoTime();
          if (!responseTimeout.isZero()) {
            responseTimer =
                connection.schedule(
                    responseTimeout,
                    () ->
                        fail(
                            new ConnectionTimeoutException(
                                "no complete response within "
                                    + Durations.format(responseTimeout))));
          }
        });
  }

  /** The server said 100, or did not answer in time: the body goes now. */
  private void continueBody() {
    if (!awaitingContinue || current == null) {
      return;
    }
    awaitingContinue = false;
    cancelContinueTimer();
    sendBodyOrFail(current.request().body());
  }

  private boolean sendBodyOrFail(RequestBody body) {
    try {
      sendBody(body);
      return true;
    } catch (IOException e) {
      fail(e);
      return false;
    }
  }

  private void cancelContinueTimer() {
    if (continueTimer != null) {
      continueTimer.cancel();
      continueTimer = null;
    }
  }

  /** Queues the body after the head: bytes as they are, a file by sendfile, a stream pumped. */
  private void sendBody(RequestBody body) throws IOException {
    // instanceof, not a switch over the sealed RequestBody: a pattern switch is linked at its first
    // run by a class SwitchBootstraps generates then, which the launcher's AOT cache does not keep:
    // 4 ms of every `wharf get`, on the loop, while the command waits for it.
    if (body instanceof RequestBody.Bytes bytes) {
      if (bytes.length() > 0) {
        connection.write(bytes.bytes());
      }
    } else if (body instanceof RequestBody.FileContent file) {
      connection.writeFile(FileChannel.open(file.path()), 0, file.length());
    } else {
      pump = new BodyPump(connection, (RequestBody.Streamed) body, this::fail);
    }
  }

  /**
   * The request head as it goes on the wire: the request line, then Host, User-Agent and Accept
   * unless the request sets them (curl's order), the body's framing, then the request's own fields.
   * What {@code -v} shows is these bytes.
   *
   * @throws IllegalArgumentException when a field or the method could not be sent as it is
   */
  static byte[] encodeHead(ClientRequest request, HttpUrl url) {
    Headers headers = request.headers();
    var fields = Headers.builder();
    if (!headers.contains("Host")) {
      fields.add("Host", url.hostHeader());
    }
    if (!headers.contains("User-Agent")) {
      fields.add("User-Agent", "wharf");
    }
    if (!headers.contains("Accept")) {
      fields.add("Accept", "*/*");
    }
    long length = request.body().length();
    boolean hasBody =
        length != 0 || request.method().equals("POST") || request.method().equals("PUT");
    if (length < 0) {
      // RFC 9112 §6.1: a body of unknown length goes chunked.
      if (!headers.contains("Transfer-Encoding")) {
        fields.add("Transfer-Encoding", "chunked");
      }
    } else if (hasBody && !headers.contains("Content-Length")) {
      fields.add("Content-Length", Long.toString(length));
    }
    for (int i = 0; i < headers.size(); i++) {
      fields.add(headers.name(i), headers.value(i));
    }
    return Http1RequestEncoder.encodeHead(request.method(), url.target(), fields.build());
  }

  @Override
  public void received(Connection c, ByteBuffer data) {
    if (current == null) {
      closeUnasked(c);
      return;
    }
    if (firstByteNanos == 0) {
      firstByteNanos = System.nanoTime();
    }
    try {
      decoder.decode(data, this);
    } catch (MessageParseException e) {
      fail(badResponse(e));
    }
    if (unasked) {
      closeUnasked(c);
    }
  }

  private static void closeUnasked(Connection c) {
    c.close(CloseReason.error(new IOException("server sent data with no request in flight")));
  }

  @Override
  public void informational(ResponseHead interim) {
    if (current != null && interim.status() == 100) {
      continueBody();
    }
  }

  @Override
  public void head(ResponseHead responseHead) {
    if (current == null) {
      unasked = true;
      return;
    }
    // RFC 9110 §10.1.1: a final answer before the 100 means the body is not wanted; the
    // connection then goes (end), since the server may still be reading a body.
    cancelContinueTimer();
    head = responseHead;
    current.listener().head(responseHead);
  }

  @Override
  public void body(ByteBuffer chunk) {
    if (current != null) {
      current.listener().body(chunk);
    }
  }

  @Override
  public void end(dev.wharf.http.Headers trailers) {
    if (current == null) {
      return; // the end of an answer nobody asked for: head() marked it
    }
    Exchange done = current;
    current = null;
    cancelTimer();
    if (trailers.size() > 0) {
      done.listener().trailers(trailers);
    }
    long now = System.nanoTime();
    var timings =
        new ExchangeTimings(
            done.reused(),
            done.resolve(),
            connection.localAddress(),
            connection.remoteAddress(),
            done.connect(),
            Duration.ofNanos(Math.max(0, firstByteNanos - sentNanos)),
            Duration.ofNanos(now - done.startNanos()),
            TlsSession.of(connection));
    boolean keepAlive =
        head.keepAlive() && !done.request().headers().hasToken("Connection", "close");
    boolean bodySent = !awaitingContinue && (pump == null || pump.isFinished());
    awaitingContinue = false;
    stopPump();
    if (!bodySent) {
      // The server answered before the body was all sent; the rest would be taken for the next
      // request, so this connection goes.
      connection.close();
    } else if (keepAlive) {
      pool.release(this);
    } else {
      connection.closeAfterFlush();
    }
    done.listener().complete(timings);
  }

  @Override
  public void inputClosed(Connection c) {
    if (current != null) {
      try {
        decoder.endOfInput(this);
      } catch (MessageParseException e) {
        fail(badResponse(e));
      }
    }
    c.close();
  }

  @Override
  public void writabilityChanged(Connection c, boolean writable) {
    if (pump != null) {
      pump.writabilityChanged(writable);
    }
  }

  @Override
  public void closed(Connection c, CloseReason reason) {
    pool.remove(this);
    cancelTimer();
    stopPump();
    if (current != null) {
      Exchange failed = current;
      current = null;
      Throwable error =
          reason.error().orElseGet(() -> new IOException("connection closed: " + reason.message()));
      if (failed.reused() && firstByteNanos == 0 && closedByServer(reason)) {
        error = new StaleConnectionException(failed.request().method(), error);
      }
      failed.listener().failed(error);
    }
  }

  /** The server's FIN or reset, or a write that failed on it; not a timeout or our own close. */
  private static boolean closedByServer(CloseReason reason) {
    return reason.kind() == CloseReason.Kind.PEER
        || (reason.kind() == CloseReason.Kind.ERROR
            && reason.error().filter(IOException.class::isInstance).isPresent());
  }

  /**
   * The server broke HTTP: the exchange fails as a protocol error, the codec's reason its cause.
   */
  static ProtocolException badResponse(MessageParseException e) {
    var error = new ProtocolException("bad response: " + e.getMessage());
    error.initCause(e);
    return error;
  }

  private void fail(Throwable error) {
    Exchange failed = current;
    current = null;
    cancelTimer();
    stopPump();
    connection.close(CloseReason.error(error));
    if (failed != null) {
      failed.listener().failed(error);
    }
  }

  private void stopPump() {
    if (pump != null) {
      pump.cancel();
      pump = null;
    }
  }

  private void cancelTimer() {
    cancelContinueTimer();
    if (responseTimer != null) {
      responseTimer.cancel();
      responseTimer = null;
    }
  }
}
