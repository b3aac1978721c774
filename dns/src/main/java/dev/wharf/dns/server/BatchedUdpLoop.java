package dev.wharf.dns.server;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wharf.core.LazyLogger;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP socket served by a thread of its own ({@code wharf-dns-udp}) that takes up to {@value
 * #BATCH} queries with one recvmmsg(2) and sends their answers with one sendmmsg(2), as Knot's UDP
 * workers do: two system calls per batch instead of two per query, and no selector. The thread
 * blocks in the kernel while nothing comes (MSG_WAITFORONE), waking every 200 ms to see whether it
 * was closed.
 *
 * <pre>
 *   recvmmsg(64) --> n queries --> answer each into its send slot --> sendmmsg(m) --+
 *        ^                                                                          |
 *        +--------------------------------------------------------------------------+
 * </pre>
 *
 * <p>Native memory: the headers, addresses and buffers of one batch, made once. The {@link
 * Answerer} runs on the loop thread only. {@link #close()} from any other thread.
 */
final class BatchedUdpLoop implements AutoCloseable {
  private static final System.Logger LOG = LazyLogger.of(BatchedUdpLoop.class);

  /** What answers a datagram: writes it into {@code out} and returns its length, or -1: none. */
  interface Answerer {
    int answer(byte[] query, int length, boolean cut, byte[] out);
  }

  static final int BATCH = 64;

  /** Per query: a question and an OPT are far smaller; a longer datagram is cut (MSG_TRUNC). */
  private static final int IN = 4096;

  /** Per answer: UDP answers are cut to 1232 octets at most (the EDNS size we offer). */
  private static final int OUT = 4096;

  // struct mmsghdr on LP64: struct msghdr (56 octets), then unsigned msg_len, padded to 64.
  private static final int MMSGHDR = 64;
  private static final int MSG_NAME = 0;
  private static final int MSG_NAMELEN = 8;
  private static final int MSG_IOV = 16;
  private static final int MSG_IOVLEN = 24;
  private static final int MSG_FLAGS = 48;
  private static final int MSG_LEN = 56;
  private static final int IOVEC = 16; // struct iovec { void *iov_base; size_t iov_len; }
  private static final int NAME = 32; // room for a sockaddr_in6, 8-aligned

  private final LinuxUdp libc;
  private final int fd;
  private final int port;
  private final Answerer answerer;
  private final Thread thread;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closing;

  private BatchedUdpLoop(LinuxUdp libc, int fd, Answerer answerer) throws IOException {
    this.libc = libc;
    this.fd = fd;
    this.port = libc.port(fd);
    this.answerer = answerer;
    this.thread = Thread.ofPlatform().name("wharf-dns-udp").daemon().unstarted(this::run);
  }

  /**
   * Binds {@code address} and starts serving it.
   *
   * @throws UnsupportedOperationException off 64-bit Linux
   * @throws IllegalCallerException when the JVM refuses this module native access
   */
  static BatchedUdpLoop start(InetSocketAddress address, Answerer answerer) throws IOException {
    LinuxUdp libc = LinuxUdp.link();
    int fd = libc.open(address);
    BatchedUdpLoop loop;
    try {
      loop = new BatchedUdpLoop(libc, fd, answerer);
    } catch (IOException | RuntimeException e) {
      libc.closeQuietly(fd);
      throw e;
    }
    loop.thread.start();
    return loop;
  }

  int port() {
    return port;
  }

  /** Answers the kernel would not take (the send buffer full, an address refused). */
  long droppedCount() {
    return dropped.get();
  }

  private void run() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment received = arena.allocate((long) BATCH * MMSGHDR, 8);
      MemorySegment answers = arena.allocate((long) BATCH * MMSGHDR, 8);
      MemorySegment iovecs = arena.allocate(2L * BATCH * IOVEC, 8);
      MemorySegment names = arena.allocate((long) BATCH * NAME, 8);
      MemorySegment in = arena.allocate((long) BATCH * IN, 8);
      MemorySegment out = arena.allocate((long) BATCH * OUT, 8);
      MemorySegment state = arena.allocate(LinuxUdp.CALL_STATE);
      for (int i = 0; i < BATCH; i++) {
        long rx = (long) i * IOVEC;
        long tx = (long) (BATCH + i) * IOVEC;
        iovecs.set(JAVA_LONG, rx, in.address() + (long) i * IN);
        iovecs.set(JAVA_LONG, rx + 8, IN);
        iovecs.set(JAVA_LONG, tx, out.address() + (long) i * OUT);
        long m = (long) i * MMSGHDR;
        received.set(JAVA_LONG, m + MSG_NAME, names.address() + (long) i * NAME);
        received.set(JAVA_LONG, m + MSG_IOV, iovecs.address() + rx);
        received.set(JAVA_LONG, m + MSG_IOVLEN, 1);
        answers.set(JAVA_LONG, m + MSG_IOV, iovecs.address() + tx);
        answers.set(JAVA_LONG, m + MSG_IOVLEN, 1);
      }
      byte[] query = new byte[IN];
      byte[] answer = new byte[65_535];
      while (!closing) {
        for (int i = 0; i < BATCH; i++) {
          received.set(JAVA_INT, (long) i * MMSGHDR + MSG_NAMELEN, NAME); // the kernel lowers it
        }
        int n = libc.receive(fd, received, BATCH, state);
        if (n < 0) {
          if (-n != LinuxUdp.EAGAIN && -n != LinuxUdp.EINTR) {
            // ECONNREFUSED and the like: an ICMP error for an answer sent before; carry on.
            LOG.log(Level.DEBUG, "recvmmsg: errno {0}", -n);
          }
          continue;
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
          long m = (long) i * MMSGHDR;
          int length = Math.min(received.get(JAVA_INT, m + MSG_LEN), IN);
          boolean cut = (received.get(JAVA_INT, m + MSG_FLAGS) & LinuxUdp.MSG_TRUNC) != 0;
          MemorySegment.copy(in, JAVA_BYTE, (long) i * IN, query, 0, length);
          int written = answer(query, length, cut, answer);
          if (written < 0 || written > OUT) {
            continue;
          }
          MemorySegment.copy(answer, 0, out, JAVA_BYTE, (long) count * OUT, written);
          long a = (long) count * MMSGHDR;
          iovecs.set(JAVA_LONG, (long) (BATCH + count) * IOVEC + 8, written);
          answers.set(JAVA_LONG, a + MSG_NAME, names.address() + (long) i * NAME);
          answers.set(JAVA_INT, a + MSG_NAMELEN, received.get(JAVA_INT, m + MSG_NAMELEN));
          // The answer of slot count goes to the sender of slot i: point its iovec at its buffer.
          count++;
        }
        sendAll(answers, count, state);
      }
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "the DNS UDP loop failed", e);
      throw e;
    } finally {
      libc.closeQuietly(fd);
      ended.countDown();
    }
  }

  /** The answerer's answer; a bug in it costs that query, not the loop (as DatagramEndpoint's). */
  private int answer(byte[] query, int length, boolean cut, byte[] out) {
    try {
      return answerer.answer(query, length, cut, out);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "answering a datagram of " + length + " octets failed", e);
      return -1;
    }
  }

  /** Sends the first {@code count} answers; one the kernel refuses is dropped, the rest go. */
  private void sendAll(MemorySegment answers, int count, MemorySegment state) {
    int sent = 0;
    while (sent < count) {
      MemorySegment rest = sent == 0 ? answers : answers.asSlice((long) sent * MMSGHDR);
      int n = libc.send(fd, rest, count - sent, state);
      if (n > 0) {
        sent += n;
      } else if (-n != LinuxUdp.EINTR) {
        LOG.log(Level.DEBUG, "sendmmsg: errno {0}, an answer dropped", -n);
        dropped.incrementAndGet();
        sent++;
      }
    }
  }

  /** Stops the thread (within 200 ms, the receive timeout) and closes the socket. */
  @Override
  public void close() {
    closing = true;
    try {
      if (!ended.await(5, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, "the DNS UDP loop did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
