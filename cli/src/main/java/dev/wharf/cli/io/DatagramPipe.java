package dev.wharf.cli.io;

import dev.wharf.cli.Story;
import dev.wharf.core.DatagramEndpoint;
import dev.wharf.core.DatagramHandler;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Joins stdin and stdout to a UDP socket: each datagram received goes to stdout, each chunk read
 * from stdin goes out as one datagram, to the connected peer or (for a listener) to whoever sent
 * the last datagram. Until someone has sent one, a listener does not read stdin.
 *
 * <p>UDP has no close, so the pipe does not end by itself; {@link #stdinEnded()} tells when stdin
 * did and {@link #lastReceivedNanos()} when the last datagram came, for a caller that waits for
 * quiet.
 *
 * <p>{@link #received} runs on the event loop, the sink methods on the stdin thread; the peer is
 * guarded by {@code this}.
 */
public final class DatagramPipe implements DatagramHandler, StdinPump.Sink {
  private final StdoutSink out;
  private final Story story;
  private final CompletableFuture<Void> stdinEnded = new CompletableFuture<>();
  private volatile DatagramEndpoint endpoint;
  private volatile long lastReceivedNanos = System.nanoTime();
  private final CompletableFuture<IOException> failed = new CompletableFuture<>();

  // Guarded by this.
  private SocketAddress peer;
  private boolean fixedPeer;

  public DatagramPipe(StdoutSink out, Story story) {
    this.out = out;
    this.story = story;
  }

  /** Starts sending: to {@code peer} if given (a client), else to the last sender. */
  public synchronized void start(DatagramEndpoint bound, SocketAddress fixedPeer) {
    this.endpoint = bound;
    this.peer = fixedPeer;
    this.fixedPeer = fixedPeer != null;
    notifyAll();
  }

  public CompletableFuture<Void> stdinEnded() {
    return stdinEnded;
  }

  public long lastReceivedNanos() {
    return lastReceivedNanos;
  }

  /**
   * Completes with the reason if stdout cannot be written, or a client's peer refused datagrams:
   * the pipe is of no more use.
   */
  public CompletableFuture<IOException> failed() {
    return failed;
  }

  @Override
  public void received(DatagramEndpoint from, ByteBuffer data, SocketAddress sender) {
    lastReceivedNanos = System.nanoTime();
    synchronized (this) {
      if (!sender.equals(peer)) {
        story.tell(
            "datagrams from "
                + Story.format(sender)
                + (peer == null ? "" : "; replies go there now"));
        peer = sender;
        notifyAll();
      }
    }
    try {
      out.write(data);
    } catch (IOException e) {
      failed.complete(new IOException("cannot write to stdout: " + e.getMessage(), e));
    }
  }

  /**
   * ICMP port unreachable: a client's peer is not there, and it says so as ncat does; a listener
   * only tells it under -v, since the next datagram may come from someone else.
   */
  @Override
  public void unreachable(DatagramEndpoint from, SocketAddress refused, IOException error) {
    boolean client;
    synchronized (this) {
      client = fixedPeer;
    }
    // ncat's "Connection refused", and what the kernel heard: an ICMP port unreachable.
    String line =
        "connection refused: udp "
            + Story.format(refused)
            + (error instanceof java.net.PortUnreachableException
                ? " (port unreachable: nothing is listening there)"
                : " (" + dev.wharf.cli.Failures.describe(error) + ")");
    if (client) {
      failed.complete(new java.net.PortUnreachableException(line));
    } else {
      story.tell(line);
    }
  }

  @Override
  public synchronized void awaitReady() throws InterruptedException {
    while (endpoint == null || peer == null) {
      wait();
    }
  }

  @Override
  public void accept(byte[] chunk) {
    SocketAddress target;
    synchronized (this) {
      target = peer;
    }
    endpoint.send(ByteBuffer.wrap(chunk), target);
  }

  @Override
  public void ended(IOException error) {
    if (error != null) {
      story.tell("cannot read stdin: " + error.getMessage());
    } else {
      story.tell("stdin ended");
    }
    stdinEnded.complete(null);
  }
}
