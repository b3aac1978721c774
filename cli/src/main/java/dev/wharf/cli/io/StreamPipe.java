package dev.wharf.cli.io;

import dev.wharf.cli.Story;
import dev.wharf.cli.tls.TlsStory;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ConnectionInfo;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * Joins stdin and stdout to stream connections (TCP or Unix), one at a time: the heart of {@code
 * listen} and {@code connect}. Received bytes go to stdout; stdin goes to the connection; stdin's
 * end half-closes it (FIN) and reading goes on until the peer closes.
 *
 * <p>The peer's FIN is a half-close too: it has said all it will, but may still read. With stdin
 * from a regular file, which is sure to end, the rest of it is still sent, then the connection
 * closes (closing at once lost what had not been read yet, when the FIN came early). With stdin
 * from a terminal or a pipe, which may never end ({@code tail -f}), the peer's FIN ends the
 * session, as with ncat, once what the pipe already held has gone out: a reply waiting in a pipe
 * when the FIN came (the stdin thread had not read it yet, or had read it but not handed it over)
 * was lost in about one run of 48 against {@code nc -N}.
 *
 * <p>With keep-open, connections that arrive while one is served wait, accepted but not read, and
 * are served in turn, as OpenBSD's {@code nc -lk} does: two peers never see their bytes
 * interleaved, and stdin always has one destination. Without it, only the first connection is
 * served and any other is closed at once.
 *
 * <p>Protocol callbacks run on the event loop, the {@link StdinPump.Sink} methods on the stdin
 * thread; the state they share is guarded by {@code this}.
 */
public final class StreamPipe implements StdinPump.Sink {
  /** Stdin chunks handed to the loop but not yet queued on the connection. */
  private static final int MAX_CHUNKS_IN_TRANSIT = 4;

  /**
   * After the peer's FIN, how long a read of stdin that holds nothing yet may take before the
   * session ends without it: the read may have just taken bytes, or may wait for ever (a terminal).
   */
  static final Duration DRAIN_GRACE = Duration.ofMillis(200);

  private final StdoutSink out;
  private final Story story;
  private final boolean keepOpen;
  private final boolean finishStdinAfterPeerFin;
  private final Runnable onFirstConnection;
  private final LongSupplier stdinWaiting;
  private final Semaphore inTransit = new Semaphore(MAX_CHUNKS_IN_TRANSIT);
  private final CompletableFuture<CloseReason> finished = new CompletableFuture<>();
  private volatile long connectStartedNanos;

  // Guarded by this.
  private Connection active;
  private boolean activeWritable;
  private boolean servedOne;
  private boolean stdinEnded;
  private boolean activePeerFinished; // the active connection's peer sent FIN
  private boolean stdinReading; // the stdin thread is in a read, or handing its chunk to the loop
  private boolean draining; // after the peer's FIN: send what stdin held, then close
  private long drainBudget; // bytes stdin held when the FIN came, not yet sent
  private boolean drainClosing; // the close after draining is on its way
  private final ArrayDeque<Connection> waiting = new ArrayDeque<>();

  /**
   * @param onFirstConnection run on the loop once the first connection is accepted (a listener that
   *     serves one connection closes its socket there)
   * @param stdinWaiting how many bytes stdin holds that a read would return at once
   */
  public StreamPipe(
      StdoutSink out,
      Story story,
      boolean keepOpen,
      boolean finishStdinAfterPeerFin,
      Runnable onFirstConnection,
      LongSupplier stdinWaiting) {
    this.out = out;
    this.story = story;
    this.keepOpen = keepOpen;
    this.finishStdinAfterPeerFin = finishStdinAfterPeerFin;
    this.onFirstConnection = onFirstConnection;
    this.stdinWaiting = stdinWaiting;
  }

  /** A protocol for one more connection. */
  public Protocol newProtocol() {
    return new Session();
  }

  /** For a client: when the connect started, so that {@code -v} can say how long it took. */
  public void connectStarted(long nanos) {
    connectStartedNanos = nanos;
  }

  /**
   * Completes with the close reason of the connection served, when the pipe is done (never with
   * keep-open).
   */
  public CompletableFuture<CloseReason> finished() {
    return finished;
  }

  // ---- the stdin side ----

  @Override
  public synchronized void awaitReady() throws InterruptedException {
    stdinReading = false;
    while (true) {
      // Only what stdin held at the FIN: a pipe that never runs dry (yes |) must not keep it open.
      if (draining && drainBudget <= 0) {
        closeDrained(active);
      }
      if (active != null && activeWritable && !drainClosing) {
        break;
      }
      wait();
    }
    stdinReading = true;
  }

  @Override
  public void accept(byte[] chunk) throws InterruptedException {
    Connection target;
    synchronized (this) {
      target = active;
      drainBudget -= chunk.length;
    }
    if (target == null) {
      return; // It closed while stdin was read: the bytes go nowhere, as with nc.
    }
    inTransit.acquire();
    target.execute(
        () -> {
          try {
            target.write(ByteBuffer.wrap(chunk));
          } finally {
            inTransit.release();
          }
        });
  }

  @Override
  public synchronized void ended(IOException error) {
    if (error != null) {
      story.tell("cannot read stdin: " + error.getMessage());
    }
    stdinEnded = true;
    if (active != null && activePeerFinished) {
      story.tell("stdin ended; both sides are done");
      active.closeAfterFlush();
    } else if (active != null) {
      story.tell("stdin ended; shutting our output down (FIN), reading on");
      active.shutdownOutput();
    }
  }

  // ---- the connection side, on the loop ----

  private synchronized void opened(Connection connection) {
    if (!servedOne) {
      servedOne = true;
      connection.execute(onFirstConnection); // after the accept that brought us here
    } else if (!keepOpen) {
      connection.close();
      return;
    }
    if (active == null) {
      activate(connection);
    } else {
      story.tell("connection from " + Story.format(connection.remoteAddress()) + " waits its turn");
      connection.suspendReads();
      waiting.add(connection);
    }
  }

  private void activate(Connection connection) {
    active = connection;
    activePeerFinished = false;
    draining = false;
    drainClosing = false;
    activeWritable = connection.isWritable();
    if (stdinEnded) {
      connection.shutdownOutput();
    }
    notifyAll();
  }

  private synchronized void writabilityChanged(Connection connection, boolean writable) {
    if (connection == active) {
      activeWritable = writable;
      notifyAll();
    }
  }

  /**
   * The peer sent FIN: close now, once what stdin holds has gone out, or once all of it has (see
   * the class doc).
   */
  private synchronized void peerFinished(Connection connection) {
    // Closes go through the loop's queue, behind the stdin chunks already handed to it.
    if (connection != active || stdinEnded) {
      connection.execute(connection::closeAfterFlush);
      return;
    }
    activePeerFinished = true;
    if (finishStdinAfterPeerFin) {
      story.tell("the peer finished sending (FIN); sending the rest of stdin");
      return;
    }
    long waiting = stdinWaiting.getAsLong();
    if (waiting <= 0 && !stdinReading) {
      connection.execute(connection::closeAfterFlush);
      return;
    }
    story.tell("the peer finished sending (FIN); sending what stdin holds, then closing");
    draining = true;
    drainBudget = waiting;
    if (waiting <= 0) {
      // The stdin thread is in a read: it may have just taken bytes, or wait for ever.
      connection.schedule(DRAIN_GRACE, () -> closeDrained(connection));
    }
    notifyAll();
  }

  /**
   * Closes a drained connection after what was queued on it: from the stdin thread the close goes
   * through the loop's queue, so it follows the writes handed over before it.
   */
  private synchronized void closeDrained(Connection connection) {
    if (connection == null || connection != active || drainClosing) {
      return;
    }
    drainClosing = true;
    connection.execute(connection::closeAfterFlush);
  }

  private synchronized boolean isActive(Connection connection) {
    return connection == active;
  }

  private synchronized void closed(Connection connection, CloseReason reason) {
    if (connection != active) {
      waiting.remove(connection);
      return;
    }
    active = null;
    Connection next = keepOpen ? waiting.poll() : null;
    if (next != null) {
      activate(next);
      next.resumeReads();
    } else if (!keepOpen) {
      finished.complete(reason);
    }
  }

  /** The protocol of one connection: reports to the pipe. */
  private final class Session implements Protocol {
    @Override
    public void opened(Connection connection) {
      ConnectionInfo info = connection.info();
      if (info.side() == ConnectionInfo.Side.CLIENT) {
        story.tell(
            "connected to "
                + Story.format(info.remote())
                + " from "
                + Story.format(info.local())
                + " in "
                + Story.millis(System.nanoTime() - connectStartedNanos));
      } else {
        story.tell(
            "connection from " + Story.format(info.remote()) + " to " + Story.format(info.local()));
      }
      if (story.isOn()) {
        boolean client = info.side() == ConnectionInfo.Side.CLIENT;
        TlsSession.of(connection).ifPresent(tls -> story.tell(TlsStory.describe(tls, client)));
      }
      StreamPipe.this.opened(connection);
    }

    @Override
    public void received(Connection connection, ByteBuffer data) {
      if (!isActive(connection)) {
        return; // Cannot happen: a waiting connection's reads are suspended.
      }
      try {
        out.write(data);
      } catch (IOException e) {
        connection.close(
            CloseReason.error(new IOException("cannot write to stdout: " + e.getMessage(), e)));
      }
    }

    @Override
    public void inputClosed(Connection connection) {
      peerFinished(connection);
    }

    @Override
    public void writabilityChanged(Connection connection, boolean writable) {
      StreamPipe.this.writabilityChanged(connection, writable);
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
      story.closed(connection.info(), reason);
      StreamPipe.this.closed(connection, reason);
    }

    @Override
    public String name() {
      return "pipe";
    }
  }
}
