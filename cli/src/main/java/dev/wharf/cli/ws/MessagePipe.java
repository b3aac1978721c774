package dev.wharf.cli.ws;

import dev.wharf.cli.Failures;
import dev.wharf.cli.Json;
import dev.wharf.cli.Story;
import dev.wharf.cli.io.LineSplitter;
import dev.wharf.cli.io.StdinPump;
import dev.wharf.cli.io.StreamPipe;
import dev.wharf.core.Durations;
import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketListener;
import dev.wharf.websocket.codec.CloseCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Joins stdin and stdout to WebSocket connections, one at a time: the heart of {@code wharf ws}, as
 * {@link StreamPipe} is of {@code listen} and {@code connect}. Each stdin line (each chunk, with
 * {@code --binary}) goes out as one message; each message received goes to a {@link MessageOutput};
 * the end of stdin starts the closing handshake (1000) unless the settings say otherwise; {@code
 * --exit-after N} closes after N messages.
 *
 * <p>Threads: the {@link StdinPump.Sink} methods run on the stdin thread, which waits for each
 * message to be queued below the connection's high watermark (backpressure on stdin). Each {@link
 * Session}'s callbacks run in order on its connection's listener virtual thread ({@code
 * Dispatch.VIRTUAL_THREAD}), so a slow stdout blocks that thread, and reading from the peer pauses,
 * but never the event loop. {@link #goAway} runs on a shutdown hook's thread. {@code active},
 * {@code stdinEnded} and {@code goingAway} are guarded by {@code this}.
 */
final class MessagePipe implements StdinPump.Sink {
  /** The largest text message one stdin line becomes; longer lines go out in pieces. */
  static final int MAX_LINE_BYTES = 1 << 20;

  /**
   * @param binaryInput stdin goes out in binary messages, one per read, instead of text lines
   * @param closeAtStdinEnd the end of stdin starts the closing handshake
   * @param exitAfter close after this many messages received (0: never)
   * @param ping send a Ping this often (zero: only the keepalive's)
   */
  record Settings(boolean binaryInput, boolean closeAtStdinEnd, long exitAfter, Duration ping) {}

  /** Stdout failed: the run ends with this, not with "connection lost". */
  static final class StdoutFailed extends IOException {
    private static final long serialVersionUID = 1L;

    StdoutFailed(IOException cause) {
      super("cannot write to stdout: " + Failures.describe(cause), cause);
    }
  }

  private final MessageOutput out;
  private final Story story;
  private final Settings settings;
  private final LineSplitter lines = new LineSplitter(MAX_LINE_BYTES);
  private final AtomicLong received = new AtomicLong();

  // Guarded by this.
  private Session active;
  private boolean stdinEnded;
  private boolean goingAway;

  MessagePipe(MessageOutput out, Story story, Settings settings) {
    this.out = out;
    this.story = story;
    this.settings = settings;
  }

  /** A listener for one more connection. */
  Session newSession() {
    return new Session();
  }

  /** Whether {@code --exit-after}'s count of messages has been received. */
  boolean receivedAll() {
    return settings.exitAfter() > 0 && received.get() >= settings.exitAfter();
  }

  /**
   * The process is going away (Ctrl-C, SIGTERM): closes the open connection with 1001 (going away),
   * or keeps waiting for the answer to a Close already sent, for up to {@code wait}. A connection
   * that opens after this is closed at once the same way.
   */
  void goAway(Duration wait) throws InterruptedException {
    Session session;
    synchronized (this) {
      goingAway = true;
      session = active;
    }
    if (session == null) {
      return;
    }
    session.close(CloseCodes.GOING_AWAY, "interrupted");
    try {
      session.ended().get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      story.tell("no Close from the peer within " + Durations.format(wait) + "; exiting");
    } catch (ExecutionException e) {
      // ended() never fails: it completes with how the connection ended.
    }
  }

  // ---- the stdin side ----

  @Override
  public synchronized void awaitReady() throws InterruptedException {
    while (active == null) {
      wait();
    }
  }

  @Override
  public void accept(byte[] chunk) throws InterruptedException {
    if (settings.binaryInput()) {
      send(webSocket -> webSocket.sendBinary(chunk));
    } else {
      lines.feed(chunk, line -> send(webSocket -> webSocket.sendText(line)));
    }
  }

  @Override
  public void ended(IOException error) {
    if (error != null) {
      story.tell("cannot read stdin: " + Failures.describe(error));
    }
    try {
      lines.finish(line -> send(webSocket -> webSocket.sendText(line)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Session session;
    synchronized (this) {
      stdinEnded = true;
      session = active;
    }
    if (settings.closeAtStdinEnd() && session != null) {
      session.close("stdin ended");
    }
  }

  /** Sends one message on the open connection and waits until it is queued below the watermark. */
  private void send(Function<WebSocket, CompletableFuture<Void>> message)
      throws InterruptedException {
    Session session;
    synchronized (this) {
      session = active;
    }
    if (session == null) {
      return; // It closed while stdin was read: the message goes nowhere, as with nc.
    }
    try {
      message.apply(session.webSocket).get();
    } catch (ExecutionException e) {
      story.tell("not sent: " + Failures.describe(Failures.unwrap(e)));
    }
  }

  // ---- the connections' side ----

  /**
   * Makes the session the one stdin goes to, first thing when it opens (so that Ctrl-C finds it),
   * and says with which code it must be closed at once: 1001 when the process is going away, 1000
   * when stdin has ended already, or 0 for neither.
   */
  private synchronized int opened(Session session) {
    active = session;
    notifyAll();
    if (goingAway) {
      return CloseCodes.GOING_AWAY;
    }
    return stdinEnded && settings.closeAtStdinEnd() ? CloseCodes.NORMAL : 0;
  }

  private synchronized void closed(Session session) {
    if (active == session) {
      active = null;
    }
  }

  /** Something to write on stdout. */
  private interface Write {
    void run() throws IOException;
  }

  /** The listener of one connection; its callbacks run in order on the connection's thread. */
  final class Session implements WebSocketListener {
    private final CompletableFuture<WsEnding> ended = new CompletableFuture<>();
    private volatile WebSocket webSocket;
    private volatile Throwable error;
    private volatile Thread pinger;
    private boolean weClosed; // guarded by this
    private boolean stdoutFailed; // the listener thread's

    /** Completes once the connection has closed, with how. */
    CompletableFuture<WsEnding> ended() {
      return ended;
    }

    /** Starts the closing handshake with 1000 (normal), once. Any thread. */
    void close(String why) {
      close(CloseCodes.NORMAL, why);
    }

    /**
     * Starts the closing handshake with this code, unless one was started already, by either side.
     * Any thread. The Close carries no reason, as browsers send theirs; {@code why} is for {@code
     * -v}.
     */
    void close(int code, String why) {
      WebSocket ws = webSocket;
      synchronized (this) {
        if (ws == null || weClosed || !ws.isOpen()) {
          return;
        }
        weClosed = true;
      }
      story.tell("sending Close " + CloseCodes.describe(code) + ": " + why);
      ws.close(code, "");
    }

    private synchronized boolean weClosed() {
      return weClosed;
    }

    @Override
    public void onOpen(WebSocket ws) {
      webSocket = ws;
      int closeAtOnce = opened(this);
      story.tell(
          "open: subprotocol "
              + ws.subprotocol().orElse("(none)")
              + ", extensions "
              + (ws.extensions().isEmpty() ? "(none)" : ws.extensions()));
      write(() -> out.opened(ws));
      startPinger(ws);
      if (closeAtOnce == CloseCodes.GOING_AWAY) {
        close(CloseCodes.GOING_AWAY, "interrupted");
      } else if (closeAtOnce == CloseCodes.NORMAL) {
        close("stdin had ended");
      }
    }

    @Override
    public void onText(WebSocket ws, String text) {
      message(() -> out.text(text));
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
      message(() -> out.binary(data));
    }

    private void message(Write print) {
      long n = received.incrementAndGet();
      long limit = settings.exitAfter();
      if (limit > 0 && n > limit) {
        return; // Arrived while closing after the last one --exit-after asked for.
      }
      write(print);
      if (n == limit) {
        close("received " + n + (n == 1 ? " message" : " messages") + " (--exit-after)");
      }
    }

    @Override
    public void onPing(WebSocket ws, ByteBuffer payload) {
      story.tell("ping received (" + payload.remaining() + " bytes); pong sent");
      write(() -> out.ping(payload));
    }

    @Override
    public void onPong(WebSocket ws, ByteBuffer payload) {
      if (story.isOn()) {
        story.tell("pong received" + roundTrip(payload));
      }
      write(() -> out.pong(payload));
    }

    /** " after 0.4 ms" when the pong answers one of our pings, which carry the time sent. */
    private String roundTrip(ByteBuffer payload) {
      if (settings.ping().isZero() || payload.remaining() != Long.BYTES) {
        return "";
      }
      long elapsed = System.nanoTime() - payload.getLong(payload.position());
      return elapsed >= 0 && elapsed < settings.ping().toNanos() * 10
          ? " after " + Story.millis(elapsed)
          : "";
    }

    @Override
    public void onError(WebSocket ws, Throwable e) {
      if (error == null) {
        error = e;
      }
      story.tell("error: " + Failures.describe(Failures.unwrap(e)));
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
      Thread ping = pinger;
      if (ping != null) {
        ping.interrupt();
      }
      closed(this);
      story.tell(
          "closed: "
              + CloseCodes.describe(code)
              + (reason.isEmpty() ? "" : " " + Json.quote(reason)));
      write(() -> out.closed(code, reason));
      ended.complete(new WsEnding(code, reason, weClosed(), error));
    }

    private void write(Write action) {
      if (stdoutFailed) {
        return;
      }
      try {
        action.run();
      } catch (IOException e) {
        stdoutFailed = true;
        if (error == null) {
          error = new StdoutFailed(e);
        }
        WebSocket ws = webSocket;
        if (ws != null) {
          ws.abort();
        }
      }
    }

    /** With --ping: a Ping every so often while open, carrying the time it was sent. */
    private void startPinger(WebSocket ws) {
      Duration every = settings.ping();
      if (every.isZero()) {
        return;
      }
      pinger =
          Thread.ofVirtual()
              .name("wharf-ws-ping")
              .start(
                  () -> {
                    try {
                      while (ws.isOpen()) {
                        Thread.sleep(every);
                        ByteBuffer now =
                            ByteBuffer.allocate(Long.BYTES).putLong(0, System.nanoTime());
                        ws.sendPing(now).get();
                        story.tell("ping sent");
                      }
                    } catch (InterruptedException | ExecutionException e) {
                      // Closed, or closing: the pings end with the connection.
                    }
                  });
    }
  }
}
