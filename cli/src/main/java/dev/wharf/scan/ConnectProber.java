package dev.wharf.scan;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One thread's share of a connect scan: a selector of its own, up to {@code limit} non-blocking
 * connects in flight, each closed as soon as it is answered. Ports are taken from a counter shared
 * with the other probers, so a thread that finishes early takes more.
 *
 * <p>Why not the engine's loops and {@code Client}: a probe needs no connection, buffers, protocol
 * or future. Through {@code Client} each port cost a connect attempt, a {@code CompletableFuture}
 * chain, a scheduled timer and two wrapped exceptions, about three times nmap's CPU for all 65,535
 * ports. Here a port costs its channel, its key and one small record; the timeout needs no timer:
 * every probe gets the same one, so the probes in the order they started are also in the order
 * their deadlines fall, a queue whose head is the next to expire.
 *
 * <p>Runs on its own thread ({@link #run}); {@link #stop} may be called from any thread. The
 * results array is shared, each slot written by the one prober that took its index.
 */
final class ConnectProber implements Prober {
  static final String SYN_ACK = "syn-ack";
  static final String CONN_REFUSED = "conn-refused";
  static final String NO_RESPONSE = "no-response";
  static final String HOST_UNREACH = "host-unreach";

  /** Where the probers of one scan take ports from and put results. */
  record Shared(
      InetAddress address,
      int[] ports,
      PortResult[] results,
      AtomicInteger next,
      AtomicInteger finished,
      TcpScanner.Progress progress) {

    /** Records the answer of port {@code index}; called once per index, by its prober. */
    void finish(int index, PortState state, String reason) {
      results[index] = new PortResult(ports[index], state, reason, "");
      progress.finished(finished.incrementAndGet(), ports.length);
    }
  }

  /** A probe in flight; loop-confined. */
  private static final class Probe {
    final int index;
    final long deadline;
    final int retry;
    SelectionKey key;

    Probe(int index, long deadline, int retry) {
      this.index = index;
      this.deadline = deadline;
      this.retry = retry;
    }
  }

  private final Shared shared;
  private final int limit;
  private final long timeoutNanos;
  private final long intervalNanos;
  private final int retries;
  private final StandardProtocolFamily family;
  private final Selector selector;
  private final ArrayDeque<Probe> byDeadline;
  private volatile boolean stopped;
  private int inFlight;
  private long nextStart;
  private boolean portsLeft = true;
  private Throwable failure;

  /**
   * @param limit the most connects in flight on this thread
   * @param timeoutNanos how long a connect may take before its port counts as filtered
   * @param intervalNanos the least time between two connects this thread starts; 0 for none
   * @param retries how many more connects a port without an answer gets before it is filtered
   */
  ConnectProber(Shared shared, int limit, long timeoutNanos, long intervalNanos, int retries)
      throws IOException {
    this.retries = retries;
    this.shared = shared;
    this.limit = limit;
    this.timeoutNanos = timeoutNanos;
    this.intervalNanos = intervalNanos;
    this.family =
        shared.address() instanceof Inet6Address
            ? StandardProtocolFamily.INET6
            : StandardProtocolFamily.INET;
    this.selector = Selector.open();
    this.byDeadline = new ArrayDeque<>(Math.min(limit, 4096) * 2);
  }

  @Override
  public Throwable failure() {
    return failure;
  }

  @Override
  public void stop() {
    stopped = true;
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      nextStart = System.nanoTime();
      while (!stopped && (portsLeft || inFlight > 0)) {
        startProbes();
        long now = System.nanoTime();
        long wait = waitNanos(now);
        if (wait <= 0) {
          selector.selectNow(this::answered);
        } else {
          selector.select(this::answered, Math.max(1, (wait + 999_999) / 1_000_000));
        }
        expire(System.nanoTime());
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
    } finally {
      try {
        selector.keys().forEach(key -> close((SocketChannel) key.channel()));
        selector.close();
      } catch (IOException | RuntimeException e) {
        // Closing what this run opened; nothing more to do.
      }
    }
  }

  /** Until the earliest of the next deadline and the next start the rate allows; -1 for none. */
  private long waitNanos(long now) {
    long wait = Long.MAX_VALUE;
    Probe head = byDeadline.peekFirst();
    if (head != null) {
      wait = head.deadline - now;
    }
    if (portsLeft && inFlight < limit && intervalNanos > 0) {
      wait = Math.min(wait, nextStart - now);
    }
    return wait == Long.MAX_VALUE ? 1000_000_000L : wait;
  }

  private void startProbes() {
    while (portsLeft && inFlight < limit) {
      long now = intervalNanos > 0 ? System.nanoTime() : 0;
      if (intervalNanos > 0) {
        if (now - nextStart < 0) {
          return;
        }
        nextStart = Math.max(nextStart, now - intervalNanos) + intervalNanos;
      }
      int index = shared.next().getAndIncrement();
      if (index >= shared.ports().length) {
        portsLeft = false;
        return;
      }
      start(index, intervalNanos > 0 ? now : System.nanoTime(), 0);
    }
  }

  private void start(int index, long now, int retry) {
    int port = shared.ports()[index];
    SocketChannel channel;
    try {
      channel = SocketChannel.open(family);
    } catch (IOException e) {
      // Out of descriptors, say (--concurrency above the limit): no answer from the host, and
      // the result says what it was, as for any connect that could not be made.
      PortResult result = TcpScanner.failed(port, e);
      finish(index, result.state(), result.reason());
      return;
    }
    try {
      channel.configureBlocking(false);
      var target = new InetSocketAddress(shared.address(), port);
      if (channel.connect(target)) {
        boolean self = connectedToItself(channel, target);
        close(channel);
        finish(index, self ? PortState.CLOSED : PortState.OPEN, self ? CONN_REFUSED : SYN_ACK);
        return;
      }
      var probe = new Probe(index, now + timeoutNanos, retry);
      probe.key = channel.register(selector, SelectionKey.OP_CONNECT, probe);
      byDeadline.addLast(probe);
      inFlight++;
    } catch (IOException e) {
      close(channel);
      PortResult result = TcpScanner.failed(port, e);
      finish(index, result.state(), result.reason());
    }
  }

  /** Called by the selector for each probe whose connect has an answer. */
  private void answered(SelectionKey key) {
    Probe probe = (Probe) key.attachment();
    SocketChannel channel = (SocketChannel) key.channel();
    PortState state;
    String reason;
    try {
      if (!channel.finishConnect()) {
        return; // Not yet: a spurious wake-up.
      }
      boolean self =
          connectedToItself(
              channel, new InetSocketAddress(shared.address(), shared.ports()[probe.index]));
      state = self ? PortState.CLOSED : PortState.OPEN;
      reason = self ? CONN_REFUSED : SYN_ACK;
    } catch (ConnectException refused) {
      // An RST: ECONNREFUSED. (The JDK also throws this type for ETIMEDOUT, which a loopback or
      // LAN scan within its timeout does not see.)
      state = PortState.CLOSED;
      reason = CONN_REFUSED;
      String message = refused.getMessage();
      if (message != null && message.toLowerCase(Locale.ROOT).contains("timed out")) {
        state = PortState.FILTERED;
        reason = NO_RESPONSE;
      }
    } catch (NoRouteToHostException unreachable) {
      state = PortState.FILTERED;
      reason = HOST_UNREACH;
    } catch (IOException e) {
      PortResult result = TcpScanner.failed(shared.ports()[probe.index], e);
      state = result.state();
      reason = result.reason();
    }
    key.cancel();
    close(channel);
    probe.key = null; // Answered: the deadline queue skips it.
    inFlight--;
    finish(probe.index, state, reason);
  }

  /**
   * Whether the connect reached its own socket: when the kernel picks the target port as the local
   * port of a connect to its own address, the SYN meets its own socket and the connection opens
   * with nobody listening (a simultaneous open, RFC 9293 §3.5). Nothing listens there, so the port
   * is closed, as nmap reports it. Seen in a scan of all 65,535 loopback ports, about once in two.
   */
  private static boolean connectedToItself(SocketChannel channel, InetSocketAddress target)
      throws IOException {
    return target.equals(channel.getLocalAddress());
  }

  /** Gives up on the probes whose deadline has passed, and drops answered ones from the head. */
  private void expire(long now) {
    for (Probe head = byDeadline.peekFirst(); head != null; head = byDeadline.peekFirst()) {
      if (head.key != null) {
        if (head.deadline - now > 0) {
          return;
        }
        head.key.cancel();
        close((SocketChannel) head.key.channel());
        head.key = null;
        inFlight--;
        byDeadline.pollFirst();
        if (head.retry < retries) {
          start(head.index, now, head.retry + 1); // A new connect: a new SYN.
        } else {
          finish(head.index, PortState.FILTERED, NO_RESPONSE);
        }
        continue;
      }
      byDeadline.pollFirst();
    }
  }

  private void finish(int index, PortState state, String reason) {
    shared.finish(index, state, reason);
  }

  private static void close(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // The probe's answer is known; a failed close changes nothing about it.
    }
  }
}
