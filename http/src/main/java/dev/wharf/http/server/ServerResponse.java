package dev.wharf.http.server;

import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpStatus;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The answer to one request: set a status and headers, then either send a whole body ({@link
 * #send}, {@link #sendFile}) or stream one ({@link #write} ... {@link #end}).
 *
 * <p>May be used from the loop or from the handler's virtual thread, but from one thread at a time.
 * Streaming from a virtual thread blocks while the client is not reading (backpressure); on the
 * loop, check {@link #isWritable()} instead.
 *
 * <p>The same for every protocol version: what differs, the framing, is its {@link ResponseSink}'s.
 */
public final class ServerResponse {
  /** Told when the response is complete; called on the connection's loop. */
  interface Completion {
    void completed(ServerResponse response);
  }

  private final Connection connection;
  private final ResponseSink sink;
  private final ServerRequest request;
  private final boolean headOnly;
  private final Completion completion;

  private int status = 200;

  /**
   * Collects the fields until the head goes out; after that this response never reads or changes
   * them again (every method that would refuses once committed), so HTTP/1.1 lends it its loop's
   * spare builder and takes it back when the response ends, rather than making one per response.
   */
  private final Headers.Builder headers;

  private boolean committed;
  private boolean ended;
  private boolean keepAlive;
  private long bodyBytes;

  /**
   * The length of a whole body ({@link #send}, {@link #sendFile}), or -1: written by the encoder as
   * the Content-Length field, so the number never has to become a String.
   */
  private long contentLength = -1;

  private Protocol upgradedTo;

  /** When the response began, for the access log; null when no log wants it. */
  private final Instant started;

  /**
   * Where this response begins in the stream of bytes written to the connection ({@link
   * Connection#bytesWritten} plus what was queued before it), and the length of its head: with them
   * the access log tells how much of a body cut off by a close went out. Kept only with an access
   * log.
   */
  private final long streamOffset;

  private int headBytes;

  ServerResponse(
      Connection connection,
      ResponseSink sink,
      ServerRequest request,
      boolean keepAlive,
      Instant started,
      Completion completion,
      Headers.Builder emptyHeaders) {
    this.connection = connection;
    this.sink = sink;
    this.headers = emptyHeaders;
    this.request = request;
    this.headOnly = request.method().equals("HEAD");
    this.keepAlive = keepAlive;
    this.started = started;
    this.completion = completion;
    // Made on the loop, after the response before it was queued whole.
    this.streamOffset = started == null ? 0 : connection.bytesWritten() + connection.pendingBytes();
  }

  public ServerResponse status(int value) {
    checkNotCommitted();
    this.status = value;
    return this;
  }

  public int status() {
    return status;
  }

  /** Adds a header field; Date, Server and the body's framing are added for you. */
  public ServerResponse header(String name, String value) {
    checkNotCommitted();
    if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
      keepAlive = false;
      return this;
    }
    headers.add(name, value);
    return this;
  }

  /** Sends a whole body with Content-Length. */
  public void send(byte[] body) {
    checkNotCommitted();
    boolean content = !HttpStatus.hasNoContent(status);
    if (content) {
      headers.remove("Content-Length");
      contentLength = body.length;
    }
    boolean hasBody = content && !headOnly && body.length > 0;
    if (hasBody) {
      headBytes = sink.headAndBody(this, status, headers, body); // Maybe in one write.
      committed = true;
      bodyBytes = body.length;
    } else {
      commit(false, true);
    }
    finish();
  }

  /** Sends text as UTF-8, as text/plain unless a Content-Type was set. */
  public void send(String text) {
    checkNotCommitted(); // Before the fields are read: once committed they may be lent on.
    if (!hasHeader("Content-Type")) {
      header("Content-Type", "text/plain; charset=utf-8");
    }
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a short plain-text error: {@code "404 Not Found: <message>"}. */
  public void sendError(int statusCode, String message) {
    status(statusCode);
    headers.set("Content-Type", "text/plain; charset=utf-8");
    send(
        (statusCode + " " + HttpStatus.reason(statusCode) + ": " + message + "\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  /** Sets the status and sends a body of the given type. */
  public void send(int statusCode, String contentType, byte[] body) {
    status(statusCode);
    header("Content-Type", contentType);
    send(body);
  }

  /**
   * Sends {@code count} bytes of a file from {@code position} (with sendfile on plain TCP); the
   * channel is closed when sent.
   */
  public void sendFile(FileChannel file, long position, long count) {
    checkNotCommitted();
    headers.remove("Content-Length");
    contentLength = count;
    boolean hasBody = !headOnly && count > 0;
    commit(false, !hasBody);
    if (!hasBody) {
      try {
        file.close();
      } catch (java.io.IOException ignored) {
        // Only read; nothing lost.
      }
    } else {
      sink.file(file, position, count, true);
      bodyBytes = count;
    }
    finish();
  }

  /**
   * Streams part of the body: chunked on HTTP/1.1 unless a Content-Length was set, delimited by
   * closing the connection on HTTP/1.0. From a virtual thread it waits while the client is slow.
   */
  public void write(ByteBuffer data) {
    if (ended) {
      throw new IllegalStateException("response already ended");
    }
    if (!committed) {
      commit(true, false);
    }
    awaitWritable();
    int n = data.remaining();
    if (headOnly || n == 0 || HttpStatus.hasNoContent(status)) {
      data.position(data.limit());
      return;
    }
    bodyBytes += n;
    sink.data(data, false);
  }

  /**
   * Streams part of the body from a file (sendfile where possible); set Content-Length first. The
   * channel is closed when sent.
   */
  public void writeFile(FileChannel file, long position, long count) {
    if (!committed) {
      if (!hasHeader("Content-Length")) {
        throw new IllegalStateException("set Content-Length before streaming a file");
      }
      commit(true, false);
    }
    if (headOnly || count == 0) {
      try {
        file.close();
      } catch (java.io.IOException ignored) {
        // Only read; nothing lost.
      }
      return;
    }
    bodyBytes += count;
    sink.file(file, position, count, false);
  }

  /** Ends a streamed body (or sends an empty one if nothing was written). */
  public void end() {
    if (ended) {
      return;
    }
    if (!committed) {
      send(new byte[0]);
      return;
    }
    sink.end(headOnly, Headers.EMPTY);
    finish();
  }

  /**
   * Ends a streamed body with trailer fields after it (RFC 9110 §6.5), such as a checksum known
   * only once the body went out: on HTTP/2 a HEADERS frame that ends the stream; on HTTP/1.1 the
   * chunked body's trailer section, sent when the request said {@code TE: trailers} and the body is
   * chunked (no Content-Length was set), and otherwise dropped, as a recipient may drop them.
   * Fields that frame or route a message (Content-Length, Transfer-Encoding, Host, Trailer and the
   * connection's own) are never sent as trailers. A HEAD request, or a status without content, gets
   * no trailers. Names and values are checked as a head's are.
   */
  public void end(Headers trailers) {
    if (ended) {
      return;
    }
    if (!committed) {
      commit(true, false);
    }
    boolean noBody = headOnly || HttpStatus.hasNoContent(status);
    sink.end(headOnly, noBody ? Headers.EMPTY : trailers.without(NOT_TRAILERS));
    finish();
  }

  /** RFC 9110 §6.5.1: fields that frame, route or control a message have no place in trailers. */
  private static final String[] NOT_TRAILERS = {
    "Content-Length",
    "Transfer-Encoding",
    "Host",
    "Trailer",
    "TE",
    "Connection",
    "Keep-Alive",
    "Proxy-Connection",
    "Upgrade"
  };

  /**
   * Switches the connection to another protocol (RFC 9110 §7.8): sends {@code 101 Switching
   * Protocols} with the headers set so far (Upgrade, Connection: Upgrade and what the protocol
   * needs), then hands the connection and any bytes the client already sent after the request to
   * {@code next}. For a request that asked to upgrade over HTTP/1.1.
   */
  public void upgrade(Protocol next) {
    checkNotCommitted();
    java.util.Objects.requireNonNull(next, "next");
    if (!request.version().equals("HTTP/1.1") || !request.head().isUpgradeRequest()) {
      throw new IllegalStateException(request + " did not ask to upgrade over HTTP/1.1");
    }
    status = 101;
    upgradedTo = next;
    keepAlive = true; // The connection lives on, under the next protocol.
    commit(false, true);
    finish();
  }

  /**
   * How much of the body the connection's socket had taken by now: all of it, unless the connection
   * closed first. For the access log of a response that ended after a close.
   */
  long bodyBytesWrittenBy(long connectionBytesWritten) {
    return Math.min(bodyBytes, Math.max(0, connectionBytesWritten - streamOffset - headBytes));
  }

  /** The protocol the connection switched to, or null. */
  Protocol upgradedTo() {
    return upgradedTo;
  }

  public boolean isCommitted() {
    return committed;
  }

  /** False while the client is behind on reading what we sent. */
  public boolean isWritable() {
    return sink.isWritable();
  }

  /** Whether the connection stays open for another request after this response. */
  public boolean keepAlive() {
    return keepAlive;
  }

  ServerRequest request() {
    return request;
  }

  /** The builder of the fields, for the protocol to take back once this response has ended. */
  Headers.Builder headers() {
    return headers;
  }

  /** The connection ends with this response (HTTP/1.x). */
  void noKeepAlive() {
    keepAlive = false;
  }

  Instant started() {
    return started;
  }

  long bodyBytes() {
    return bodyBytes;
  }

  /** Called on the loop when the client caught up. */
  void writableAgain() {
    synchronized (writableMonitor()) {
      writableMonitor().notifyAll();
    }
  }

  /**
   * Guards the wait for writability: a monitor (since JDK 24 a virtual thread waiting on one does
   * not pin its carrier), and the sink's rather than an object of this response's own, which cost
   * 16 bytes per response. Sinks are package-private, so no caller can hold the lock; HTTP/1.1's
   * serves every response of its connection, one after another, and its waits recheck their
   * condition when woken.
   */
  private Object writableMonitor() {
    return sink;
  }

  /** The loop cannot wait; a virtual thread waits for the client to read. */
  private void awaitWritable() {
    if (connection.inEventLoop()) {
      return;
    }
    synchronized (writableMonitor()) {
      try {
        while (!sink.isWritable() && sink.isOpen()) {
          writableMonitor().wait(1000); // Also rechecks if a notification raced us.
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean hasHeader(String name) {
    return headers.contains(name);
  }

  private void commit(boolean streamed, boolean endStream) {
    headBytes = sink.head(this, status, headers, contentLength, streamed, endStream);
    committed = true;
  }

  private void finish() {
    ended = true;
    if (connection.inEventLoop()) {
      completion.completed(this);
    } else {
      connection.execute(() -> completion.completed(this));
    }
  }

  private void checkNotCommitted() {
    if (committed) {
      throw new IllegalStateException("response already started");
    }
  }
}
