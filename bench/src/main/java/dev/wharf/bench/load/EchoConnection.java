package dev.wharf.bench.load;

/**
 * One connection of a steady echo load: it keeps {@code window} messages in flight, each issued
 * with its send time, and issues the next the moment one comes back whole. K = 1 is ping-pong
 * (latency), larger K pipelines. A framing extends it with what a message is on the wire ({@link
 * #send}) and calls {@link #completed} (or {@link #receivedInAll}) when messages come back.
 *
 * <p>Not thread-safe: the generator's thread owns it. Allocates nothing once made.
 */
public abstract class EchoConnection {
  private final LoadLoop loop;

  /** Issue times of the messages in flight, oldest at {@code head}, a ring of {@code window}. */
  private final long[] issued;

  private int head;
  private int inFlight;
  private long completed;

  protected EchoConnection(LoadLoop loop, int window) {
    this.loop = loop;
    this.issued = new long[window];
  }

  /** Issues a whole window of messages at {@code now}, as the load starts. */
  public final void fill(long now) {
    for (int k = 0; k < issued.length; k++) {
      issue(now);
    }
  }

  /** Queues the bytes of one more message to send. */
  protected abstract void send();

  private void issue(long now) {
    issued[(head + inFlight) % issued.length] = now;
    inFlight++;
    send();
  }

  /** The oldest message in flight came back whole at {@code now}: records it, issues the next. */
  protected final void completed(long now) {
    loop.completed(issued[head], now);
    head = (head + 1) % issued.length;
    inFlight--;
    completed++;
    issue(now);
  }

  /**
   * For a stream of {@code size}-byte messages: {@code received} bytes have come back in all;
   * completes, at one reading of the clock, every message they finish.
   */
  protected final void receivedInAll(long received, int size) {
    long whole = received / size;
    if (whole > completed) {
      long now = System.nanoTime();
      while (completed < whole) {
        completed(now);
      }
    }
  }
}
