package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One connection of the load, for the whole run: it connects, handshakes (TLS, a WebSocket
 * upgrade), then keeps up to the plan's pipeline of requests in flight, and when it fails it is
 * counted and connects again. A request in flight is remembered by the time it was due: when it was
 * issued (closed loop) or its slot in the fixed schedule (at a rate), so that its latency counts
 * the time it waited to be sent (coordinated-omission correction, as wrk2).
 *
 * <pre>
 *   IDLE --connect--> CONNECTING --connected--> STARTING (TLS, upgrade) --open()--> OPEN
 *     ^                                                                              |
 *     +------------------------------ failed or closed ------------------------------+
 * </pre>
 *
 * <p>Not thread-safe: its worker's thread owns it.
 */
final class Connection {
  private enum State {
    IDLE,
    CONNECTING,
    STARTING,
    OPEN
  }

  private final Worker worker;
  private final Exchange exchange;

  /**
   * Due times of the requests in flight, by slot. An exchange that answers in order (HTTP/1.1,
   * WebSocket, TCP) uses it as a ring of the pipeline's depth, oldest at {@code head}; one that
   * answers in any order (HTTP/2's streams) gets a free slot per request and names it when the
   * answer comes.
   */
  private final long[] due;

  private final boolean inOrder;

  /** Out of order only: the free slots (a stack), which slots hold a request, and since when. */
  private final int[] free;

  private final boolean[] busy;
  private final long[] issuedAt;

  private int freeCount;

  private final long interval;

  /** Held (C10K): nanoseconds between its pings; 0 for an echo or HTTP load. */
  private final long pingEvery;

  private long nextPing;
  private int head;
  private int inFlight;
  private long nextDue;
  private State state = State.IDLE;
  private SocketChannel channel;
  private SelectionKey key;
  private TlsLink tls;
  private long since;
  private long retryAt;
  private boolean closeAfterAnswer;

  /**
   * {@code firstDue} and {@code interval} place its requests on the schedule (nanoseconds; an
   * interval of 0 is closed loop).
   */
  Connection(Worker worker, Plan plan, long firstDue, long interval) {
    this.worker = worker;
    this.due = new long[plan.pipeline()];
    this.nextDue = firstDue;
    this.interval = interval;
    this.pingEvery = plan.plan().hold().pingEvery().toNanos();
    this.exchange = plan.exchange(this);
    this.inOrder = exchange.answersInOrder();
    this.free = inOrder ? null : new int[due.length];
    this.busy = inOrder ? null : new boolean[due.length];
    this.issuedAt = inOrder ? null : new long[due.length];
    freeAllSlots();
  }

  private void freeAllSlots() {
    if (!inOrder) {
      for (int i = 0; i < due.length; i++) {
        free[i] = due.length - 1 - i;
        busy[i] = false;
      }
      freeCount = due.length;
    }
  }

  boolean isClosed() {
    return state == State.IDLE;
  }

  /** Starts connecting if it is idle and its back-off after a failed connect has passed. */
  void connectIfIdle(long now) {
    if (state != State.IDLE || now - retryAt < 0 || !worker.mayConnect()) {
      return;
    }
    try {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      since = now;
      state = State.CONNECTING;
      worker.handshakeStarted();
      boolean atOnce = channel.connect(worker.address());
      key = channel.register(worker.selector(), SelectionKey.OP_CONNECT, this);
      if (atOnce) {
        connected(now);
      }
    } catch (IOException | RuntimeException e) {
      failed(new LoadFailure(ErrorKind.CONNECT, e.toString()), now);
    }
  }

  private void connected(long now) throws IOException {
    key.interestOps(SelectionKey.OP_READ);
    worker.connectionOpened();
    state = State.STARTING;
    since = now;
    if (worker.plan().tls()) {
      tls = new TlsLink(worker.plan().sslEngine(), channel);
      tls.begin();
      flush();
    } else {
      exchange.start();
      flush();
    }
  }

  /** The exchange is ready for requests: fills the pipeline, or what the schedule allows. */
  void open() {
    worker.handshakeEnded();
    state = State.OPEN;
    since = System.nanoTime();
    if (pingEvery > 0) {
      // Held: its first ping at a random point of the interval, so that thousands of connections
      // opened together do not ping together ever after.
      nextPing = since + ThreadLocalRandom.current().nextLong(pingEvery);
      return;
    }
    issueWhatIsDue(since);
  }

  /** Whether it is open: handshaken, and not closed since. */
  boolean isOpen() {
    return state == State.OPEN;
  }

  /** Held: sends its ping if its time has come and the last one was answered. */
  void pingIfDue(long now) {
    if (pingEvery == 0 || state != State.OPEN || inFlight > 0 || now - nextPing < 0) {
      return;
    }
    nextPing = now + pingEvery;
    issueWhatIsDue(now);
    try {
      flush();
    } catch (IOException | RuntimeException e) {
      failed(e, now);
    }
  }

  /** Held: a text message came from the server, stamped with when it was sent (or -1). */
  void messageReceived(long sentMicros) {
    worker.messageReceived(sentMicros);
  }

  /** Its key was selected. */
  void selected() {
    long now = System.nanoTime();
    try {
      if (state == State.CONNECTING) {
        if (key.isConnectable()) {
          try {
            channel.finishConnect();
          } catch (ConnectException e) {
            throw new LoadFailure(ErrorKind.CONNECT, e.getMessage());
          } catch (IOException e) {
            throw new LoadFailure(ErrorKind.CONNECT, e.toString());
          }
          connected(now);
        }
        return;
      }
      if (tls != null) {
        setWriteInterest(tls.progress(this, exchange));
      } else {
        if (key.isReadable()) {
          readPlain();
        }
        flush();
      }
      if (closeAfterAnswer) {
        closeQuietly();
      }
    } catch (IOException | RuntimeException e) {
      failed(e, now);
    }
  }

  private void readPlain() throws IOException {
    ByteBuffer buffer = worker.readBuffer();
    while (state != State.IDLE) {
      buffer.clear();
      int n = readFrom(buffer);
      if (n < 0) {
        endOfStream();
        return;
      }
      if (n == 0) {
        return;
      }
      buffer.flip();
      exchange.received(buffer);
      if (closeAfterAnswer) {
        return;
      }
      if (n < buffer.capacity()) {
        return;
      }
    }
  }

  /** Reads from the socket into {@code buffer}; a failed read is a reset. */
  int readFrom(ByteBuffer buffer) throws IOException {
    int n;
    try {
      n = channel.read(buffer);
    } catch (IOException e) {
      throw new LoadFailure(ErrorKind.RESET, e.getMessage());
    }
    if (n > 0) {
      worker.read(n);
    }
    return n;
  }

  /** {@code n} bytes went out on its socket (TLS records: counted as they are written). */
  void wrote(int n) {
    worker.wrote(n);
  }

  /** The server closed its side: an error if an answer was still owed. */
  void endOfStream() throws IOException {
    exchange.endOfStream();
    if (state == State.IDLE) {
      return; // The exchange's last answer closed it.
    }
    if (inFlight > 0 || state != State.OPEN) {
      throw new LoadFailure(ErrorKind.CLOSED, "the server closed the connection");
    }
    closeQuietly();
  }

  /** Sends what the exchange has queued, until done or the socket is full. */
  void flush() throws IOException {
    if (state == State.IDLE || state == State.CONNECTING) {
      return;
    }
    if (tls != null) {
      setWriteInterest(tls.progress(this, exchange));
      return;
    }
    boolean full = false;
    while (true) {
      ByteBuffer src = exchange.outbound(Integer.MAX_VALUE);
      int n = src.remaining();
      if (n == 0) {
        break;
      }
      int w;
      try {
        w = channel.write(src);
      } catch (IOException e) {
        throw new LoadFailure(ErrorKind.RESET, e.getMessage());
      }
      exchange.sent(w);
      worker.wrote(w);
      if (w < n) {
        full = true;
        break;
      }
    }
    setWriteInterest(full);
  }

  private void setWriteInterest(boolean full) {
    if (state == State.IDLE || state == State.CONNECTING) {
      return;
    }
    int ops = full ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
    if (key.interestOps() != ops) {
      key.interestOps(ops);
    }
  }

  /** The oldest request in flight has its whole answer ({@code status} 0 when not HTTP). */
  void answered(int status) throws LoadFailure {
    if (inFlight == 0) {
      throw new LoadFailure(ErrorKind.PROTOCOL, "an answer to no request");
    }
    long now = System.nanoTime();
    worker.answered(due[head], now, status);
    head = (head + 1) % due.length;
    inFlight--;
    since = now;
    if (!closeAfterAnswer && pingEvery == 0) {
      issueWhatIsDue(now);
    }
  }

  /**
   * Out of order: the request in {@code slot} has its whole answer. In a closed loop the slot is
   * used again at once, as h2load keeps its streams busy.
   */
  void answered(int slot, int status) {
    long now = System.nanoTime();
    worker.answered(release(slot), now, status);
    since = now;
    if (!closeAfterAnswer) {
      issueWhatIsDue(now);
    }
  }

  /**
   * Out of order: the request in {@code slot} failed on its own (a stream reset), counted as {@code
   * kind}; the connection carries on.
   */
  void requestFailed(int slot, ErrorKind kind, String why) {
    long now = System.nanoTime();
    worker.failed(kind, new LoadFailure(kind, why), now);
    worker.lost(release(slot));
    if (!closeAfterAnswer) {
      issueWhatIsDue(now);
    }
  }

  /**
   * Out of order: the server goes away without having taken the request in {@code slot} (RFC 9113
   * §6.8: it did not process it), which is not an error: the request goes out again on the next
   * connection.
   */
  void requestNotTaken(int slot) {
    worker.notTaken(release(slot));
  }

  /** Frees an out-of-order slot and returns its due time. */
  private long release(int slot) {
    if (busy == null || !busy[slot]) {
      throw new IllegalStateException("slot " + slot + " holds no request");
    }
    busy[slot] = false;
    free[freeCount++] = slot;
    inFlight--;
    return due[slot];
  }

  /** How many requests are in flight. */
  int inFlight() {
    return inFlight;
  }

  /** The server will close after the answer just read: stop sending, then open again. */
  void closeAfterAnswer() {
    closeAfterAnswer = true;
  }

  /**
   * Issues requests while the pipeline has room: closed loop, all it can, due now; at a rate, those
   * whose slot in the schedule has come. Returns the next slot (0 in closed loop).
   */
  long issueWhatIsDue(long now) {
    if (state != State.OPEN) {
      return interval == 0 ? 0 : nextDue;
    }
    if (interval == 0 && inFlight > 0 && inOrder) {
      // Closed loop, a pipeline is sent again as a whole once all of it is answered, as wrk's
      // pipeline script does: one write per batch, not one per answer.
      return 0;
    }
    int depth = Math.min(due.length, exchange.room());
    while (inFlight < depth) {
      long when;
      if (interval == 0) {
        when = now;
      } else if (nextDue - now <= 0) {
        when = nextDue;
      } else {
        break;
      }
      if (!worker.mayIssue(when)) {
        break;
      }
      if (interval != 0) {
        nextDue += interval;
      }
      if (inFlight == 0) {
        since = now;
      }
      int slot;
      if (inOrder) {
        slot = (head + inFlight) % due.length;
      } else {
        slot = free[--freeCount];
        busy[slot] = true;
        issuedAt[slot] = now;
      }
      due[slot] = when;
      inFlight++;
      exchange.issue(slot);
    }
    return interval == 0 ? 0 : nextDue;
  }

  /** Whether it is open with room in its pipeline, so that its next slot matters. */
  boolean waitsForSlot() {
    return state == State.OPEN
        && inFlight < Math.min(due.length, exchange.room())
        && !closeAfterAnswer;
  }

  /** Counts a timeout if the connect, handshake or oldest answer is late, and fails it. */
  void checkTimeout(long now, long timeout) {
    boolean waiting = state == State.CONNECTING || state == State.STARTING || inFlight > 0;
    if (waiting && now - oldestWait() > timeout) {
      failed(
          new LoadFailure(
              state == State.CONNECTING ? ErrorKind.CONNECT : ErrorKind.TIMEOUT,
              "no answer within the timeout"),
          now);
    }
  }

  /**
   * Since when it waits: the connect, the handshake or the last answer; out of order, the oldest
   * request in flight (other streams' answers say nothing of a stream that gets none).
   */
  private long oldestWait() {
    if (inOrder || state != State.OPEN || inFlight == 0) {
      return since;
    }
    long oldest = since;
    for (int slot = 0; slot < due.length; slot++) {
      if (busy[slot] && issuedAt[slot] - oldest < 0) {
        oldest = issuedAt[slot];
      }
    }
    return oldest;
  }

  /** Counts the failure by kind and closes; a failed connect backs off before trying again. */
  void failed(Throwable failure, long now) {
    ErrorKind kind =
        failure instanceof LoadFailure f
            ? f.kind
            : state == State.CONNECTING ? ErrorKind.CONNECT : ErrorKind.PROTOCOL;
    boolean connecting = kind == ErrorKind.CONNECT;
    worker.failed(kind, failure, now);
    closeQuietly();
    if (connecting) {
      retryAt = now + Worker.CONNECT_BACKOFF;
    }
  }

  /** Closes the socket; the requests in flight are lost (counted as done for a request budget). */
  void closeQuietly() {
    if (state == State.IDLE) {
      return;
    }
    if (state != State.OPEN) {
      worker.handshakeEnded();
    }
    state = State.IDLE;
    closeAfterAnswer = false;
    if (inOrder) {
      for (int i = 0; i < inFlight; i++) {
        worker.lost(due[(head + i) % due.length]);
      }
    } else {
      for (int slot = 0; slot < due.length; slot++) {
        if (busy[slot]) {
          worker.lost(due[slot]);
        }
      }
      freeAllSlots();
    }
    head = 0;
    inFlight = 0;
    tls = null;
    if (key != null) {
      key.cancel();
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // Done with it either way.
    }
    // At a rate, the slots that pass while it is down stay due: once open again it sends them
    // as fast as its pipeline allows, each timed from its slot, as the server's users would wait.
    exchange.reset();
    worker.closed(this);
  }
}
