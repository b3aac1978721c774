package dev.wharf.packets;

import dev.wharf.packets.internal.IcmpSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends ICMP or ICMPv6 echo requests to one host and reads what comes back, as iputils' ping does:
 * through an unprivileged ping socket where {@code net.ipv4.ping_group_range} allows it, else a raw
 * socket. Linux only. Not thread-safe: one thread sends and awaits; {@link #close} may come from
 * another only after that thread stopped.
 *
 * <pre>{@code
 * try (var pinger = Pinger.open(InetAddress.getByName("::1"), 56, 0)) {
 *   pinger.send(1);
 *   Optional<PingEvent> event = pinger.await(System.nanoTime() + 1_000_000_000L);
 * }
 * }</pre>
 */
public final class Pinger implements AutoCloseable {
  private final IcmpSocket socket;
  private final boolean v6;
  private final int payloadBytes;
  private final int identifier;

  /**
   * When each request went, on the monotonic clock and (to match the kernel's stamps) the wall's.
   */
  private record Sent(long nanoTime, long epochNanos) {}

  private final Map<Integer, Sent> sentAt = new HashMap<>();

  private Pinger(IcmpSocket socket, int payloadBytes) {
    this.socket = socket;
    this.v6 = socket.isIpv6();
    this.payloadBytes = payloadBytes;
    // A ping socket's kernel writes its own identifier (the socket's "port") and delivers only the
    // replies that carry it; a raw socket sees every echo reply and keeps those with ours.
    this.identifier = ThreadLocalRandom.current().nextInt(1, 65_536);
  }

  /**
   * A pinger of {@code target}.
   *
   * @param payloadBytes the data after the 8-byte ICMP header (ping's -s; 56 by default)
   * @param ttl the TTL or hop limit of the requests, 0 for the system's default
   * @throws PacketSocketException where no ICMP socket may be had (see {@link
   *     PacketSocketException#isPermissionDenied()})
   */
  public static Pinger open(InetAddress target, int payloadBytes, int ttl)
      throws PacketSocketException {
    if (payloadBytes < 0 || payloadBytes > 65_507) {
      throw new IllegalArgumentException("payload must be 0 to 65507 bytes, got " + payloadBytes);
    }
    return new Pinger(IcmpSocket.open(target, ttl), payloadBytes);
  }

  /** True on a raw socket (CAP_NET_RAW), false on an unprivileged ping socket. */
  public boolean isRaw() {
    return socket.isRaw();
  }

  /** Sends the echo request numbered {@code sequence} (taken modulo 65536). */
  public void send(int sequence) throws PacketSocketException {
    int wire = sequence & 0xffff;
    long epochMicros = System.currentTimeMillis() * 1000;
    byte[] request = EchoMessages.request(v6, identifier, wire, payloadBytes, epochMicros);
    Instant wall = Instant.now();
    sentAt.put(
        wire, new Sent(System.nanoTime(), wall.getEpochSecond() * 1_000_000_000L + wall.getNano()));
    socket.send(request);
  }

  /**
   * The next reply to, or error about, one of this pinger's requests, waiting until {@code
   * deadlineNanos} ({@link System#nanoTime} time); empty when none came by then.
   */
  public Optional<PingEvent> await(long deadlineNanos) throws PacketSocketException {
    while (true) {
      Optional<IcmpSocket.Received> received = socket.receiveNow();
      if (received.isPresent()) {
        long now = System.nanoTime();
        Optional<PingEvent> event = ours(received.get(), now);
        if (event.isPresent()) {
          return event;
        }
        continue;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      socket.awaitReadable(
          (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
    }
  }

  private Optional<PingEvent> ours(IcmpSocket.Received received, long now) {
    if (received.isError()) {
      // From a ping socket's error queue: our own request, which names its sequence number, and
      // the ICMP error's type and code, said in iputils' words.
      byte[] request = received.data();
      String error =
          v6
              ? EchoMessages.errorV6(
                  received.errorType(), received.errorCode(), received.errorInfo())
              : EchoMessages.errorV4(
                  received.errorType(), received.errorCode(), received.errorInfo());
      if (request.length < 8 || error == null) {
        return Optional.empty();
      }
      int sequence = ((request[6] & 0xff) << 8) | (request[7] & 0xff);
      if (!sentAt.containsKey(sequence)) {
        return Optional.empty();
      }
      return Optional.of(new PingEvent.IcmpError(received.from(), sequence, error));
    }
    boolean withIpHeader = socket.isRaw() && !v6;
    Optional<EchoMessages.Parsed> parsed = EchoMessages.parse(received.data(), v6, withIpHeader);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    EchoMessages.Parsed message = parsed.get();
    if (socket.isRaw() && message.identifier() != identifier) {
      return Optional.empty(); // another ping's, seen by every raw socket
    }
    Sent sent = sentAt.get(message.sequence());
    if (sent == null) {
      return Optional.empty();
    }
    InetAddress from = received.from();
    if (message.error() != null) {
      return Optional.of(new PingEvent.IcmpError(from, message.sequence(), message.error()));
    }
    int ttl = received.ttl();
    if (ttl < 0 && withIpHeader) {
      ttl = received.data()[8] & 0xff;
    }
    // The kernel's receive stamp is on the wall clock: a step of that clock (NTP) between send and
    // receive could make it negative, and then the monotonic clock's reading time is the better.
    long kernelRoundTrip =
        received.kernelEpochNanos() < 0 ? -1 : received.kernelEpochNanos() - sent.epochNanos();
    boolean kernelTimed = kernelRoundTrip >= 0 && kernelRoundTrip <= now - sent.nanoTime();
    long roundTrip = kernelTimed ? kernelRoundTrip : now - sent.nanoTime();
    return Optional.of(
        new PingEvent.EchoReply(
            from,
            message.sequence(),
            message.icmpLength(),
            ttl,
            Duration.ofNanos(roundTrip),
            kernelTimed));
  }

  /** True when the target is IPv6 (ICMPv6). */
  public boolean isIpv6() {
    return v6;
  }

  @Override
  public void close() {
    socket.close();
  }
}
