package dev.wharf.scan;

import static dev.wharf.scan.ScanLibc.AF_INET;
import static dev.wharf.scan.ScanLibc.AF_INET6;
import static dev.wharf.scan.ScanLibc.EALREADY;
import static dev.wharf.scan.ScanLibc.ECONNREFUSED;
import static dev.wharf.scan.ScanLibc.EHOSTUNREACH;
import static dev.wharf.scan.ScanLibc.EINPROGRESS;
import static dev.wharf.scan.ScanLibc.EINTR;
import static dev.wharf.scan.ScanLibc.EISCONN;
import static dev.wharf.scan.ScanLibc.ENETUNREACH;
import static dev.wharf.scan.ScanLibc.EPOLL_DATA_OFFSET;
import static dev.wharf.scan.ScanLibc.EPOLL_EVENT_SIZE;
import static dev.wharf.scan.ScanLibc.ETIMEDOUT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;

/**
 * {@link ConnectProber}'s work done with Linux's own calls (through FFM): the same non-blocking
 * connects, up to {@code limit} in flight on one epoll set, but each socket serves many ports.
 *
 * <p>Why: on loopback nearly every port is closed and answers at once, so a scan is a loop of
 * socket, connect, wait, SO_ERROR, close, and NIO adds a flags pair, an epoll delete and a poll to
 * each (nine to ten system calls a port; nmap makes nine). Here a socket whose connect was refused
 * is connected again to the next port: Linux lets a TCP socket in the CLOSE state connect anew
 * (connect(2) with AF_UNSPEC is the documented way to get there; a refused connect leaves it
 * there). The answer is read by calling connect once more on the same target, which returns 0 when
 * it opened and the pending error when it failed, and resets the socket for the next port. So a
 * closed port costs two connects and a share of one epoll_wait: no socket, close, fcntl or
 * epoll_ctl. A socket that opened (or whose state is unsure) is closed, and its slot gets a new
 * one.
 *
 * <p>Slots: {@code limit} sockets, each registered once (level-triggered, its slot number as the
 * event's data). A socket never sits idle in the set (its CLOSE state would report ready again and
 * again): when a slot has no port to start at once, its socket is closed. Deadlines as in {@link
 * ConnectProber}: one timeout for all, so the probes in the order they started are in the order
 * their deadlines fall; a queue of (slot, generation) entries, stale once the slot moves on.
 *
 * <p>Runs on its own thread ({@link #run}), which owns every socket and segment here; {@link #stop}
 * may be called from any thread.
 */
final class EpollConnectProber implements Prober {
  private static final int MAX_EVENTS = 1024;

  private final ScanLibc libc;
  private final ConnectProber.Shared shared;
  private final int limit;
  private final long timeoutNanos;
  private final long intervalNanos;
  private final boolean ipv6;
  private final int addressLength;
  private final int retries;

  // Per slot, all indexed by slot number.
  private final int[] fds;
  private final int[] portIndex;
  private final int[] attempt;
  private final long[] deadline;
  private final int[] generation;
  private final boolean[] busy;
  private final int[] free;
  private int freeCount;

  /** Probes in the order they started: (generation << 32 | slot), a ring that grows. */
  private long[] queue = new long[1024];

  private int queueHead;
  private int queueSize;

  private volatile boolean stopped;
  private int inFlight;
  private long nextStart;
  private boolean portsLeft = true;
  private Throwable failure;

  // Owned by the run's thread, made in run().
  private MemorySegment state;

  /** Each slot's target, a slice made once: the compiler the command runs with allocates slices. */
  private final MemorySegment[] addresses;

  private MemorySegment events;
  private MemorySegment unspec;
  private MemorySegment ctlEvent;
  private MemorySegment local;
  private MemorySegment localLength;
  private int epfd = -1;

  EpollConnectProber(
      ScanLibc libc,
      ConnectProber.Shared shared,
      int limit,
      long timeoutNanos,
      long intervalNanos,
      int retries) {
    this.libc = libc;
    this.shared = shared;
    this.limit = limit;
    this.timeoutNanos = timeoutNanos;
    this.intervalNanos = intervalNanos;
    this.ipv6 = shared.address() instanceof Inet6Address;
    this.addressLength = ipv6 ? 28 : 16;
    this.retries = retries;
    this.attempt = new int[limit];
    this.addresses = new MemorySegment[limit];
    this.fds = new int[limit];
    this.portIndex = new int[limit];
    this.deadline = new long[limit];
    this.generation = new int[limit];
    this.busy = new boolean[limit];
    this.free = new int[limit];
    java.util.Arrays.fill(fds, -1);
    for (int slot = 0; slot < limit; slot++) {
      free[slot] = limit - 1 - slot; // Slot 0 first.
    }
    freeCount = limit;
  }

  @Override
  public Throwable failure() {
    return failure;
  }

  /** Asks the run to end early; it notices within a wait (at most 100 ms). */
  @Override
  public void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    try (Arena arena = Arena.ofConfined()) {
      try {
        prepare(arena);
        loop();
      } finally {
        for (int slot = 0; slot < limit; slot++) {
          closeSocket(slot);
        }
        if (epfd >= 0) {
          libc.close(state, epfd);
        }
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
  }

  /** The segments this run's calls use, each slot's target address, and the epoll set. */
  private void prepare(Arena arena) throws IOException {
    state = arena.allocate(ScanLibc.CALL_STATE);
    events = arena.allocate(EPOLL_EVENT_SIZE * Math.min(limit, MAX_EVENTS), 8);
    unspec = arena.allocate(16, 8); // sa_family AF_UNSPEC (0): "disconnect".
    ctlEvent = arena.allocate(16, 8);
    local = arena.allocate(28, 8);
    localLength = arena.allocate(JAVA_INT);
    MemorySegment all = arena.allocate((long) addressLength * limit, 8);
    byte[] raw = shared.address().getAddress();
    for (int slot = 0; slot < limit; slot++) {
      MemorySegment address = all.asSlice((long) slot * addressLength, addressLength);
      addresses[slot] = address;
      address.set(JAVA_SHORT, 0, (short) (ipv6 ? AF_INET6 : AF_INET));
      MemorySegment.copy(raw, 0, address, JAVA_BYTE, ipv6 ? 8 : 4, raw.length);
      if (ipv6 && shared.address() instanceof Inet6Address v6 && v6.getScopeId() != 0) {
        address.set(JAVA_INT, 24, v6.getScopeId());
      }
    }
    epfd = libc.epollCreate1(state, ScanLibc.EPOLL_CLOEXEC);
    if (epfd < 0) {
      throw failure("epoll_create1");
    }
  }

  private void loop() throws IOException {
    nextStart = System.nanoTime();
    int max = Math.min(limit, MAX_EVENTS);
    while (!stopped && (portsLeft || inFlight > 0)) {
      startProbes();
      int waitMillis = waitMillis(System.nanoTime());
      int ready = libc.epollWait(state, epfd, events, max, waitMillis);
      if (ready < 0) {
        int errno = ScanLibc.errno(state);
        if (errno == EINTR) {
          continue;
        }
        throw failure("epoll_wait", errno);
      }
      for (int i = 0; i < ready; i++) {
        answered((int) events.get(JAVA_LONG_UNALIGNED, i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET));
      }
      expire(System.nanoTime());
    }
  }

  /**
   * Until the earliest of the next deadline and the next start the rate allows, in milliseconds
   * rounded up; 0 to look and go on; at most 100, so that {@link #stop} is seen.
   */
  private int waitMillis(long now) {
    long wait = 100_000_000L;
    if (queueSize > 0) {
      wait = Math.min(wait, deadline[slotOf(queue[queueHead])] - now);
    }
    if (portsLeft && freeCount > 0 && intervalNanos > 0) {
      wait = Math.min(wait, nextStart - now);
    }
    return wait <= 0 ? 0 : (int) Math.max(1, (wait + 999_999) / 1_000_000);
  }

  /** Fills the free slots with new probes, as far as the ports and the rate allow. */
  private void startProbes() {
    while (freeCount > 0 && fill(free[freeCount - 1])) {
      freeCount--;
    }
  }

  /**
   * Starts ports on {@code slot} until one is in flight (true), or until none may start now (false:
   * the slot's socket is closed, for the caller to free the slot). A loop, not a recursion: an
   * unreachable host may refuse every connect at once.
   */
  private boolean fill(int slot) {
    for (int index = nextIndex(); index >= 0; index = nextIndex()) {
      if (begin(slot, index, 0)) {
        return true;
      }
    }
    closeSocket(slot);
    return false;
  }

  /** After a probe on {@code slot} ended: the next port on it, or the slot is free. */
  private void refill(int slot) {
    if (!fill(slot)) {
      free[freeCount++] = slot;
    }
  }

  /** The next port's index this prober may start now; -1 when there is none or the rate waits. */
  private int nextIndex() {
    if (!portsLeft || stopped) {
      return -1;
    }
    if (intervalNanos > 0) {
      long now = System.nanoTime();
      if (now - nextStart < 0) {
        return -1;
      }
      nextStart = Math.max(nextStart, now - intervalNanos) + intervalNanos;
    }
    int index = shared.next().getAndIncrement();
    if (index >= shared.ports().length) {
      portsLeft = false;
      return -1;
    }
    return index;
  }

  /**
   * Starts the probe of port {@code index} on {@code slot}, which is not busy ({@code retry} 0 for
   * the first try): true when its connect is in flight, false when it was answered at once (the
   * result is recorded).
   */
  private boolean begin(int slot, int index, int retry) {
    int port = shared.ports()[index];
    portIndex[slot] = index;
    attempt[slot] = retry;
    if (fds[slot] < 0) {
      int errno = openSocket(slot);
      if (errno != 0) {
        // Out of descriptors, say (--concurrency above the limit): not an answer from the host.
        PortResult result = TcpScanner.failed(port, new IOException(libc.describe(errno)));
        shared.finish(index, result.state(), result.reason());
        return false;
      }
    }
    MemorySegment address = address(slot);
    address.set(JAVA_BYTE, 2, (byte) (port >>> 8));
    address.set(JAVA_BYTE, 3, (byte) port);
    if (libc.connect(state, fds[slot], address, addressLength) == 0) {
      connected(slot); // Answered at once: the kernel may do that on loopback.
      return false;
    }
    int errno = ScanLibc.errno(state);
    if (errno != EINPROGRESS) {
      failed(slot, errno);
      return false;
    }
    busy[slot] = true;
    deadline[slot] = System.nanoTime() + timeoutNanos;
    generation[slot]++;
    enqueue((long) generation[slot] << 32 | slot);
    inFlight++;
    return true;
  }

  /** An event on {@code slot}'s socket: its connect has an answer (or the wake-up is spurious). */
  private void answered(int slot) {
    if (slot >= 0 && slot < limit && busy[slot] && outcome(slot)) {
      refill(slot);
    }
  }

  /**
   * Whether the busy probe on {@code slot} has its answer (recorded, and the slot no longer busy).
   * Connecting again to the same target answers how the first connect ended, and a failed one
   * leaves the socket ready for the next port.
   */
  private boolean outcome(int slot) {
    if (libc.connect(state, fds[slot], address(slot), addressLength) == 0) {
      settle(slot);
      connected(slot);
      return true;
    }
    int errno = ScanLibc.errno(state);
    if (errno == EALREADY || errno == EINPROGRESS) {
      return false; // Not yet.
    }
    settle(slot);
    if (errno == EISCONN) {
      connected(slot);
    } else {
      failed(slot, errno);
    }
    return true;
  }

  /**
   * The probe on {@code slot} is over: it leaves the count in flight (its queue entry goes stale).
   */
  private void settle(int slot) {
    busy[slot] = false;
    inFlight--;
  }

  /**
   * The connect completed: open, unless it reached its own socket (the kernel gave it the target
   * port as its local one; see {@link ConnectProber}). The socket is closed either way: a
   * connection is not reused.
   */
  private void connected(int slot) {
    int index = portIndex[slot];
    boolean self = false;
    localLength.set(JAVA_INT, 0, (int) local.byteSize());
    if (libc.getsockname(state, fds[slot], local, localLength) == 0) {
      // The port (network order), then the address (after IPv6's flow information).
      MemorySegment target = address(slot);
      long from = ipv6 ? 8 : 4;
      long to = ipv6 ? 24 : 8;
      self =
          local.get(JAVA_SHORT, 2) == target.get(JAVA_SHORT, 2)
              && MemorySegment.mismatch(local, from, to, target, from, to) < 0;
    }
    closeSocket(slot);
    shared.finish(
        index,
        self ? PortState.CLOSED : PortState.OPEN,
        self ? ConnectProber.CONN_REFUSED : ConnectProber.SYN_ACK);
  }

  /** The connect failed with {@code errno}: the port's state. */
  private void failed(int slot, int errno) {
    int index = portIndex[slot];
    switch (errno) {
      case ECONNREFUSED -> shared.finish(index, PortState.CLOSED, ConnectProber.CONN_REFUSED);
      case ETIMEDOUT -> shared.finish(index, PortState.FILTERED, ConnectProber.NO_RESPONSE);
      case EHOSTUNREACH, ENETUNREACH ->
          shared.finish(index, PortState.FILTERED, ConnectProber.HOST_UNREACH);
      default -> {
        // Not an answer from the host (no local port left, say): say what it was, as the NIO
        // prober does, and start afresh with a new socket.
        PortResult result =
            TcpScanner.failed(shared.ports()[index], new IOException(libc.describe(errno)));
        shared.finish(index, result.state(), result.reason());
        closeSocket(slot);
      }
    }
  }

  /** Gives up on the probes whose deadline has passed, and drops stale entries from the head. */
  private void expire(long now) {
    while (queueSize > 0) {
      long entry = queue[queueHead];
      int slot = slotOf(entry);
      if (busy[slot] && generation[slot] == (int) (entry >>> 32)) {
        if (deadline[slot] - now > 0) {
          return;
        }
        dequeue();
        timedOut(slot);
      } else {
        dequeue();
      }
    }
  }

  /**
   * No answer within the timeout: the port is tried again (a new connect, with a new SYN) while it
   * has retries left, and is filtered after the last, unless the answer came just now.
   */
  private void timedOut(int slot) {
    if (!outcome(slot)) {
      settle(slot);
      int index = portIndex[slot];
      // AF_UNSPEC disconnects: the SYN_SENT socket goes back to CLOSE, ready for the next try.
      if (libc.connect(state, fds[slot], unspec, (int) unspec.byteSize()) != 0) {
        closeSocket(slot);
      }
      if (attempt[slot] < retries) {
        if (begin(slot, index, attempt[slot] + 1)) {
          return;
        }
      } else {
        shared.finish(index, PortState.FILTERED, ConnectProber.NO_RESPONSE);
      }
    }
    refill(slot);
  }

  /** Gives {@code slot} a new socket in the epoll set; 0, or the errno of what failed. */
  private int openSocket(int slot) {
    int fd =
        libc.socket(
            state,
            ipv6 ? AF_INET6 : AF_INET,
            ScanLibc.SOCK_STREAM | ScanLibc.SOCK_NONBLOCK | ScanLibc.SOCK_CLOEXEC,
            0);
    if (fd < 0) {
      return ScanLibc.errno(state);
    }
    ctlEvent.set(JAVA_INT_UNALIGNED, 0, ScanLibc.EPOLLOUT);
    ctlEvent.set(JAVA_LONG_UNALIGNED, EPOLL_DATA_OFFSET, slot);
    if (libc.epollCtl(state, epfd, ScanLibc.EPOLL_CTL_ADD, fd, ctlEvent) != 0) {
      int errno = ScanLibc.errno(state);
      libc.close(state, fd);
      return errno;
    }
    fds[slot] = fd;
    return 0;
  }

  /** Closes the slot's socket, if it has one; closing also takes it out of the epoll set. */
  private void closeSocket(int slot) {
    if (fds[slot] >= 0) {
      libc.close(state, fds[slot]);
      fds[slot] = -1;
    }
  }

  private MemorySegment address(int slot) {
    return addresses[slot];
  }

  private static int slotOf(long entry) {
    return (int) entry;
  }

  private void enqueue(long entry) {
    if (queueSize == queue.length) {
      long[] larger = new long[queue.length * 2];
      for (int i = 0; i < queueSize; i++) {
        larger[i] = queue[(queueHead + i) % queue.length];
      }
      queue = larger;
      queueHead = 0;
    }
    queue[(queueHead + queueSize) % queue.length] = entry;
    queueSize++;
  }

  private void dequeue() {
    queueHead = (queueHead + 1) % queue.length;
    queueSize--;
  }

  private IOException failure(String call) {
    return failure(call, ScanLibc.errno(state));
  }

  private IOException failure(String call, int errno) {
    return new IOException(call + ": " + libc.describe(errno));
  }
}
