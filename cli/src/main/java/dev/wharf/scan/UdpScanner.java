package dev.wharf.scan;

import dev.wharf.core.Cancellable;
import dev.wharf.core.DatagramEndpoint;
import dev.wharf.core.DatagramHandler;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.LazyLogger;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An unprivileged UDP scan (nmap's {@code -sU}), one connected UDP socket per port on the engine's
 * {@link DatagramEndpoint}s: a reply means open; an ICMP port unreachable, which the kernel reports
 * on a connected socket, means closed; another ICMP error (host or network unreachable,
 * administratively prohibited) means filtered; silence until the timeout means open|filtered, after
 * {@code retries} more tries of the silent ports.
 *
 * <p>Linux sends ICMP errors at most {@code net.ipv4.icmp_ratelimit} apart per destination (one a
 * second after a burst of six, by default; loopback is exempt), so a scan of a remote Linux host
 * hears "closed" only for a few ports and silence from the rest. As nmap does, the retries tell it:
 * when a retry finds closed ports that were silent before, answers were being dropped, and the next
 * round goes no faster than the answers came in the last.
 *
 * <p>{@link #scan} blocks the calling thread, which paces the probes; it may be called from any
 * thread but not from an event loop of the group. Each probe lives on its endpoint's loop.
 */
public final class UdpScanner {
  private static final System.Logger LOG = LazyLogger.of(UdpScanner.class);

  /**
   * How to scan.
   *
   * @param concurrency the most probes (sockets) in flight at once
   * @param rate the most probes started per second; 0 for no limit
   * @param timeout how long a probe waits for an answer
   * @param retries how many more times a port that stayed silent is probed
   */
  public record Settings(int concurrency, double rate, Duration timeout, int retries) {
    public Settings {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
      }
      if (!(rate >= 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("rate must be a positive number, got " + rate);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      if (retries < 0 || retries > 50) {
        throw new IllegalArgumentException("retries must be 0 to 50, got " + retries);
      }
    }
  }

  /** Hears that the scan slowed down, and why; called on the scanning thread. */
  @FunctionalInterface
  public interface Notes {
    Notes NONE = note -> {};

    void note(String text);
  }

  private final EventLoopGroup group;
  private final Settings settings;

  public UdpScanner(EventLoopGroup group, Settings settings) {
    this.group = Objects.requireNonNull(group, "group");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Probes every port of {@code ports} on {@code address}; the results sorted as the ports. */
  public List<PortResult> scan(
      InetAddress address, PortList ports, TcpScanner.Progress progress, Notes notes)
      throws InterruptedException {
    int[] all = ports.ports();
    PortResult[] results = new PortResult[all.length];
    var decided = new AtomicInteger();
    List<Integer> silent = new ArrayList<>();
    for (int i = 0; i < all.length; i++) {
      silent.add(i);
    }
    double rate = settings.rate();
    for (int round = 0; round <= settings.retries() && !silent.isEmpty(); round++) {
      boolean last = round == settings.retries();
      long start = System.nanoTime();
      PortResult[] answers = probeAll(address, all, silent, rate, round, last, decided, progress);
      double seconds = (System.nanoTime() - start) / 1e9;
      int answered = 0;
      int closedLate = 0;
      var stillSilent = new ArrayList<Integer>();
      for (int index : silent) {
        PortResult answer = answers[index];
        if (answer == null) {
          stillSilent.add(index);
        } else {
          results[index] = answer;
          answered++;
          if (round > 0 && answer.state() == PortState.CLOSED) {
            closedLate++;
          }
        }
      }
      if (closedLate > 0 && !stillSilent.isEmpty()) {
        // Ports silent before said "closed" now: the first ICMP errors were dropped, most likely
        // by the kernel's rate limit. Go no faster than the answers came.
        double answerRate = Math.max(1, answered / seconds);
        if (rate == 0 || answerRate < rate) {
          rate = answerRate;
          notes.note(
              closedLate
                  + " closed port"
                  + (closedLate == 1 ? "" : "s")
                  + " answered only on a retry (ICMP errors rate-limited?): "
                  + String.format(java.util.Locale.ROOT, "%.0f", rate)
                  + " probes a second from now on");
        }
      }
      silent = stillSilent;
    }
    for (int index : silent) {
      results[index] = new PortResult(all[index], PortState.OPEN_FILTERED, "no-response", "");
    }
    return List.of(results);
  }

  /** One round: probes the ports at {@code indexes}; an answer per port, null for silence. */
  private PortResult[] probeAll(
      InetAddress address,
      int[] ports,
      List<Integer> indexes,
      double rate,
      int round,
      boolean last,
      AtomicInteger decided,
      TcpScanner.Progress progress)
      throws InterruptedException {
    PortResult[] answers = new PortResult[ports.length];
    var permits = new Semaphore(settings.concurrency());
    var done = new CountDownLatch(indexes.size());
    long interval = rate > 0 ? (long) (1e9 / rate) : 0;
    long slot = System.nanoTime();
    for (int index : indexes) {
      permits.acquire();
      if (interval > 0) {
        // Bounded: each pass parks until the slot's time, which only comes nearer.
        for (long wait = slot - System.nanoTime(); wait > 0; wait = slot - System.nanoTime()) {
          LockSupport.parkNanos(wait);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
        slot = Math.max(slot, System.nanoTime() - interval) + interval;
      }
      int port = ports[index];
      probe(new InetSocketAddress(address, port), UdpPayloads.forPort(port, round))
          .whenComplete(
              (answer, bug) -> {
                answers[index] =
                    bug != null
                        ? new PortResult(port, PortState.FILTERED, String.valueOf(bug), "")
                        : answer;
                if (answers[index] != null || last) {
                  progress.finished(decided.incrementAndGet(), ports.length);
                }
                done.countDown(); // Publishes answers[index] to the waiting caller.
                permits.release();
              });
    }
    done.await();
    return answers;
  }

  /**
   * Sends {@code payload} from a socket connected to {@code target}: the port's result when it
   * answers, null when it stays silent for the timeout. Never fails: a socket that cannot be made
   * (no descriptor left) is a filtered result that says why.
   */
  private CompletableFuture<PortResult> probe(InetSocketAddress target, byte[] payload) {
    int port = target.getPort();
    var answer = new CompletableFuture<PortResult>();
    DatagramHandler handler =
        new DatagramHandler() {
          @Override
          public void received(DatagramEndpoint endpoint, ByteBuffer data, SocketAddress from) {
            answer.complete(new PortResult(port, PortState.OPEN, "udp-response", ""));
          }

          @Override
          public void unreachable(DatagramEndpoint endpoint, SocketAddress peer, IOException e) {
            answer.complete(
                e instanceof PortUnreachableException
                    ? new PortResult(port, PortState.CLOSED, "port-unreach", "")
                    : new PortResult(port, PortState.FILTERED, "host-unreach", ""));
          }
        };
    boolean v6 = target.getAddress() instanceof Inet6Address;
    DatagramEndpoint endpoint;
    try {
      endpoint =
          DatagramEndpoint.builder(group)
              .family(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)
              .name("scan " + port)
              .bind(new InetSocketAddress(v6 ? "::" : "0.0.0.0", 0), handler);
    } catch (IOException e) {
      return CompletableFuture.completedFuture(
          new PortResult(port, PortState.FILTERED, "no socket: " + e.getMessage(), ""));
    }
    try {
      endpoint.connect(target);
    } catch (IOException e) {
      endpoint.close();
      // Refused at once: no route, or the kernel's own answer for this address.
      return CompletableFuture.completedFuture(
          new PortResult(port, PortState.FILTERED, "host-unreach", ""));
    }
    // On the endpoint's loop, so that closing it there waits for no other loop.
    Cancellable timer = endpoint.loop().schedule(settings.timeout(), () -> answer.complete(null));
    endpoint.send(ByteBuffer.wrap(payload));
    return answer.whenComplete(
        (result, bug) -> {
          timer.cancel();
          if (endpoint.loop().inEventLoop()) {
            endpoint.close();
          } else {
            endpoint.loop().execute(endpoint::close);
          }
          LOG.log(System.Logger.Level.TRACE, () -> "udp " + target + ": " + result);
        });
  }
}
