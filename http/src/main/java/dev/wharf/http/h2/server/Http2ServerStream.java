package dev.wharf.http.h2.server;

import dev.wharf.core.Connection;
import dev.wharf.core.Pipe;
import dev.wharf.http.Headers;
import dev.wharf.http.RequestHead;
import dev.wharf.http.codec.SharedFile;
import dev.wharf.http.h2.ReceiveWindow;
import dev.wharf.http.h2.StreamStateMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;

/**
 * One request and its response on an HTTP/2 connection. The connection fills in the request; the
 * server answers through {@link #respond}, {@link #data}, {@link #file} and {@link #end}, from the
 * loop or from a handler's thread (one at a time): each is queued on the stream in order and sent
 * as HEADERS and DATA frames as the flow-control windows allow. {@link #isWritable()} tells a
 * handler to wait while what it queued has not gone out; {@link #onWritable} wakes it.
 */
public final class Http2ServerStream {
  /** Queued response bytes past which a handler is asked to wait ({@link #isWritable()}). */
  static final int OUTPUT_HIGH_WATER = 64 * 1024;

  /** File regions up to this size are read and queued as bytes: one DATA frame's default size. */
  static final int READ_WHOLE_BYTES = 16 * 1024;

  /** What the response queued and the connection has yet to send, in order. */
  sealed interface Output {}

  record Head(int status, Headers headers, long contentLength, boolean endStream)
      implements Output {}

  record Bytes(ByteBuffer data, boolean endStream) implements Output {}

  record FilePart(SharedFile file, long position, long count, boolean endStream)
      implements Output {}

  record Trailers(Headers headers) implements Output {}

  record Reset(dev.wharf.http.h2.frame.ErrorCode code) implements Output {}

  private final Http2ServerConnection owner;
  private final int id;
  final StreamStateMachine state;
  final ReceiveWindow receiveWindow;

  // ---- the request, on the loop ----
  RequestHead head;
  long declaredLength = -1;
  long received;
  ByteArrayOutputStream body;
  Pipe pipe;
  long maxBodyBytes;
  long budgeted;
  boolean dispatched;
  boolean requestEnded;

  /** A refused request's body is counted and dropped. */
  boolean discarding;

  /** Window withheld from the peer while a streamed body's reader is behind. */
  int withheld;

  boolean expectsContinue;

  /** The request's trailer section, once it came; and who is told of it. Loop only. */
  private Headers requestTrailers = Headers.EMPTY;

  private java.util.function.Consumer<Headers> trailersListener = fields -> {};

  // ---- the response, queued on the loop ----
  final ArrayDeque<Output> output = new ArrayDeque<>();
  boolean endSent;
  boolean inReadyQueue;
  boolean responseFinished;
  boolean heldAfterClose; // closed on the wire, kept until its handler is done (counted apart)

  /** When the response began to wait for window, on the loop's clock; 0 while it is not. */
  long blockedSinceNanos;

  /** Bytes queued by the response and not yet handed to the connection, any thread. */
  private volatile long queuedBytes;

  /** False once nothing more goes out: reset, or the connection closed. */
  private volatile boolean open = true;

  private volatile Runnable onWritable = () -> {};

  Http2ServerStream(Http2ServerConnection owner, int id, int initialWindow, int maxWindow) {
    this.owner = owner;
    this.id = id;
    this.state = new StreamStateMachine(id);
    this.receiveWindow = new ReceiveWindow(id, initialWindow, maxWindow);
  }

  public int id() {
    return id;
  }

  public RequestHead head() {
    return head;
  }

  /** The whole body of a request received whole. */
  public byte[] body() {
    return body == null ? new byte[0] : body.toByteArray();
  }

  /** The body of a request on a streamed route, read as it comes; null otherwise. */
  public Pipe bodyPipe() {
    return pipe;
  }

  /**
   * Calls {@code listener} with the request's trailers (RFC 9113 §8.1: a HEADERS frame that ends
   * the stream) when they come, or at once if they came already; before a streamed body ends. Loop
   * only.
   */
  public void onRequestTrailers(java.util.function.Consumer<Headers> listener) {
    this.trailersListener = listener;
    if (requestTrailers.size() > 0) {
      listener.accept(requestTrailers);
    }
  }

  /** The request's trailers arrived (on the loop). */
  void requestTrailers(Headers fields) {
    this.requestTrailers = fields;
    trailersListener.accept(fields);
  }

  /** The connection, as the protocol sees it (the TLS view under TLS). */
  public Connection connection() {
    return owner.connection();
  }

  // ---- the response, any thread ----

  /** The response's head; {@code contentLength} -1 when not known. */
  public void respond(int status, Headers headers, long contentLength, boolean endStream) {
    queue(new Head(status, headers, contentLength, endStream), 0);
  }

  /** Part of the body: a copy of what remains of {@code data} is queued. */
  public void data(ByteBuffer data, boolean endStream) {
    int n = data.remaining();
    ByteBuffer copy = ByteBuffer.allocate(n).put(data).flip();
    queue(new Bytes(copy, endStream), n);
  }

  /**
   * Part of the body from a file, sent one DATA frame per region (sendfile on plaintext). A region
   * that fits one DATA frame of the default size is read here, by the caller (a blocking handler's
   * own thread), and queued as bytes: the loop then writes the frames of many streams in one
   * gathering write, where a region of its own cost a sendfile (and the JDK's failed
   * copy_file_range before it) per stream, and under TLS a read on the loop.
   */
  public void file(FileChannel file, long position, long count, boolean endStream) {
    if (count > 0 && count <= READ_WHOLE_BYTES) {
      ByteBuffer bytes = readWhole(file, position, (int) count);
      if (bytes != null) {
        closeQuietly(file);
        queue(new Bytes(bytes, endStream), bytes.remaining());
        return;
      }
    }
    queue(new FilePart(new SharedFile(file), position, count, endStream), 0);
  }

  /** The region, or null if it could not be read whole (the file shrank, a read failed). */
  private static ByteBuffer readWhole(FileChannel file, long position, int count) {
    ByteBuffer bytes = ByteBuffer.allocate(count);
    try {
      while (bytes.hasRemaining()) {
        if (file.read(bytes, position + bytes.position()) < 0) {
          return null; // Sent as a region, as before: the connection deals with a short file.
        }
      }
    } catch (IOException e) {
      return null;
    }
    return bytes.flip();
  }

  private static void closeQuietly(FileChannel file) {
    try {
      file.close();
    } catch (IOException ignored) {
      // Only read; nothing lost.
    }
  }

  /** Trailers, which end the stream. */
  public void trailers(Headers trailers) {
    queue(new Trailers(trailers), 0);
  }

  /** Ends the body if nothing ended it yet. */
  public void end() {
    queue(new Bytes(ByteBuffer.allocate(0), true), 0);
  }

  /** Cuts the response off: RST_STREAM with {@code code} (a handler failed after its head). */
  public void reset(dev.wharf.http.h2.frame.ErrorCode code) {
    queue(new Reset(code), 0);
  }

  /** False while the response is behind (its window or the socket), or the stream is gone. */
  public boolean isWritable() {
    return !open || queuedBytes < OUTPUT_HIGH_WATER;
  }

  public boolean isOpen() {
    return open;
  }

  /** What to call, on the loop, when {@link #isWritable()} may have turned true. */
  public void onWritable(Runnable action) {
    this.onWritable = action;
  }

  /** The response is complete and its handler done: the stream may be forgotten. Loop only. */
  public void finished() {
    owner.finished(this);
  }

  private void queue(Output item, int bytes) {
    if (owner.connection().inEventLoop()) {
      queueOnLoop(item, bytes);
    } else {
      addQueued(bytes);
      owner.handOver(this, item);
    }
  }

  /** Queues {@code item}, whose {@code bytes} are counted already if negative. Loop only. */
  void queueOnLoop(Output item, int bytes) {
    if (bytes >= 0) {
      addQueued(bytes);
    }
    if (!open) {
      drop(item);
      return;
    }
    output.add(item);
    owner.outputQueued(this);
  }

  private synchronized void addQueued(long bytes) {
    queuedBytes += bytes;
  }

  /** {@code bytes} of the queued output went to the connection. Loop only. */
  void sent(long bytes) {
    addQueued(-bytes);
    if (queuedBytes < OUTPUT_HIGH_WATER) {
      onWritable.run();
    }
  }

  /** Nothing more goes out: drop what is queued, fail a body still coming, wake the handler. */
  void close(IOException cause) {
    open = false;
    while (!output.isEmpty()) {
      drop(output.poll());
    }
    if (pipe != null) {
      pipe.fail(cause);
    }
    onWritable.run();
  }

  private static void drop(Output item) {
    if (item instanceof FilePart part) {
      try {
        part.file().close();
      } catch (IOException ignored) {
        // Only read; nothing lost.
      }
    }
  }

  @Override
  public String toString() {
    return "h2 " + state + (head == null ? "" : " " + head.method() + " " + head.target());
  }
}
