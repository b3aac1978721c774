package dev.wharf.cli.ws;

import dev.wharf.cli.Endpoints;
import dev.wharf.cli.Failures;
import dev.wharf.cli.Story;
import dev.wharf.cli.io.StdinPump;
import dev.wharf.core.ConnectListener;
import dev.wharf.core.Durations;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.tls.TlsClientConfig;
import dev.wharf.websocket.WebSocketClient;
import dev.wharf.websocket.WebSocketHandshakeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * The client side of {@code wharf ws}: connects, joins the WebSocket to stdin and stdout through a
 * {@link MessagePipe}, and with {@code --reconnect} connects again after a connection is lost,
 * waiting longer each time, for a bounded number of attempts in a row.
 */
final class WsDial {
  /** Attempts in a row before giving up. */
  static final int MAX_RECONNECTS = 5;

  static final Duration FIRST_DELAY = Duration.ofMillis(500);
  static final Duration MAX_DELAY = Duration.ofSeconds(8);

  /** A connection that stayed open this long was a success: the count of attempts starts over. */
  static final Duration STABLE = Duration.ofSeconds(10);

  private final WsCommand.Options options;
  private final MessagePipe pipe;
  private final PrintWriter err;
  private final InputStream in;
  private final WebSocketClient client;

  WsDial(
      EventLoopGroup group,
      WsCommand.Options options,
      Optional<TlsClientConfig> tls,
      MessagePipe pipe,
      Story story,
      PrintWriter err,
      InputStream in) {
    this.options = options;
    this.pipe = pipe;
    this.err = err;
    this.in = in;
    var told = new ConnectStory(story);
    WebSocketClient.Builder builder =
        WebSocketClient.builder(group).config(options.config()).connectListener(told);
    // wss:// with the trust options of the command line (--cacert, --insecure, --pin).
    tls.ifPresent(builder::tls);
    if (story.isOn()) {
      // Above TLS, so the trace shows the plain handshake either way.
      builder.handshakeWrapper(
          handshake -> new HandshakeTrace(handshake, story, told::connectStartedNanos));
    }
    this.client = builder.build();
  }

  /**
   * Tells {@code -v} what the host name resolved to, and notes when connecting began, for the
   * trace's "connected ... in". One connect at a time: the attempts follow one another.
   */
  private static final class ConnectStory implements ConnectListener {
    private final Story story;
    private volatile long connectStartedNanos;

    ConnectStory(Story story) {
      this.story = story;
    }

    @Override
    public void resolved(String host, List<InetSocketAddress> addresses) {
      if (!Endpoints.isLiteral(host)) {
        story.resolved(host, addresses);
      }
      connectStartedNanos = System.nanoTime();
    }

    long connectStartedNanos() {
      return connectStartedNanos;
    }
  }

  /** Runs until the connection (the last, with --reconnect) ends; returns the exit status. */
  int run() throws Exception {
    URI uri = options.url().orElseThrow();
    boolean everOpen = false;
    int attempts = 0;
    while (true) {
      MessagePipe.Session session = pipe.newSession();
      try {
        client.connect(uri, options.requestHeaders(), session).get();
      } catch (ExecutionException e) {
        IOException failure = explain(Failures.unwrap(e));
        if (!everOpen || !options.reconnect()) {
          throw failure; // The first connection must work: a typo should not be retried.
        }
        attempts = waitToReconnect(attempts, "cannot reconnect: " + Failures.describe(failure));
        continue;
      }
      long openedAt = System.nanoTime();
      if (!everOpen) {
        everOpen = true;
        new StdinPump(in, StdinPump.STREAM_CHUNK, pipe).start();
      }
      WsEnding ending = session.ended().get();
      if (ending.isClean()) {
        return 0;
      }
      if (!options.reconnect()
          || ending.weClosed()
          || pipe.receivedAll()
          || ending.error() instanceof MessagePipe.StdoutFailed) {
        throw new IOException(ending.problem());
      }
      if (System.nanoTime() - openedAt >= STABLE.toNanos()) {
        attempts = 0;
      }
      attempts = waitToReconnect(attempts, ending.problem());
    }
  }

  /** Says why and when on stderr, waits, and returns the attempt about to be made. */
  private int waitToReconnect(int attemptsSoFar, String why)
      throws IOException, InterruptedException {
    int attempt = attemptsSoFar + 1;
    if (attempt > MAX_RECONNECTS) {
      throw new IOException(
          why + "; gave up after " + MAX_RECONNECTS + " attempts to reconnect in a row");
    }
    Duration delay = delay(attempt);
    synchronized (err) {
      err.println(
          "wharf ws: "
              + why
              + "; reconnecting in "
              + Durations.format(delay)
              + " (attempt "
              + attempt
              + " of "
              + MAX_RECONNECTS
              + ")");
      err.flush();
    }
    Thread.sleep(delay);
    return attempt;
  }

  /** 0.5 s before the first attempt, doubling up to 8 s. */
  static Duration delay(int attempt) {
    Duration delay = FIRST_DELAY.multipliedBy(1L << Math.min(attempt - 1, 10));
    return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
  }

  /** A failure to open, as one line: a refused handshake says what the server answered. */
  static IOException explain(Throwable failure) {
    if (failure instanceof WebSocketHandshakeException refused) {
      String message = refused.getMessage();
      String answered = "server answered ";
      if (refused.status() != 101 && message != null && message.startsWith(answered)) {
        message = message.substring(answered.length());
      }
      return new IOException("handshake refused: " + message, refused);
    }
    if (failure instanceof IOException io) {
      return io;
    }
    return new IOException(Failures.describe(failure), failure);
  }
}
