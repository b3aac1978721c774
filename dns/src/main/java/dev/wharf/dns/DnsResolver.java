package dev.wharf.dns;

import dev.wharf.core.Client;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Timeouts;
import dev.wharf.core.Transport;
import dev.wharf.dns.codec.DnsMessageWriter;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.Message;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * A stub resolver on Wharf's engine: asks its servers in turn over UDP, each try with a fresh
 * random id (RFC 5452 §4) and source port and a timeout, for a number of rounds; retries over TCP
 * (RFC 7766 §5) when an answer comes back truncated; keeps only answers that match the query
 * ({@link AnswerCheck}). TCP connections are kept per server and shared by the queries that go over
 * TCP, sent without waiting for each other's answers (RFC 7766 §6.2.1.1, {@link TcpSession}); one
 * is closed after {@value #TCP_IDLE_SECONDS} s without traffic, or by {@link #close()}.
 *
 * <p>Thread-safe: {@link #query} may be called from any thread. Each query runs on a virtual thread
 * of its own ({@code wharf-dns-query}), which waits for the loops' datagrams and connections; the
 * returned future completes on it.
 */
public final class DnsResolver implements AutoCloseable {
  /**
   * How long a TCP connection may wait for the next query. RFC 7766 §6.2.3 leaves it to the client
   * and asks it not to hold connections long; servers close theirs after some seconds anyway.
   */
  static final int TCP_IDLE_SECONDS = 10;

  private static final System.Logger LOG = LazyLogger.of(DnsResolver.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Configures a {@link DnsResolver}. */
  public static final class Builder {
    private final EventLoopGroup group;
    private List<InetSocketAddress> servers = List.of();
    private Duration timeout = ResolvConf.DEFAULT_TIMEOUT;
    private int attempts = ResolvConf.DEFAULT_ATTEMPTS;

    private Builder(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
    }

    /** The servers to ask, in order. */
    public Builder servers(List<InetSocketAddress> value) {
      if (value.isEmpty()) {
        throw new IllegalArgumentException("no server to ask");
      }
      this.servers = List.copyOf(value);
      return this;
    }

    /** How long each try waits for its answer. */
    public Builder timeout(Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("the timeout must be positive");
      }
      this.timeout = value;
      return this;
    }

    /** How many rounds over all servers (resolv.conf's {@code attempts}, dig's {@code +tries}). */
    public Builder attempts(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("at least one try");
      }
      this.attempts = value;
      return this;
    }

    /** Servers, timeout and attempts from a resolv.conf. */
    public Builder configuration(ResolvConf conf) {
      return servers(conf.servers()).timeout(conf.timeout()).attempts(conf.attempts());
    }

    public DnsResolver build() {
      if (servers.isEmpty()) {
        throw new IllegalStateException("no servers: give them or a resolv.conf");
      }
      return new DnsResolver(this);
    }
  }

  public static Builder builder(EventLoopGroup group) {
    return new Builder(group);
  }

  private final EventLoopGroup group;
  private final List<InetSocketAddress> servers;
  private final Duration timeout;
  private final int attempts;
  private final Client client;
  private final Map<InetSocketAddress, TcpSession> sessions = new ConcurrentHashMap<>();

  private DnsResolver(Builder builder) {
    this.group = builder.group;
    this.servers = builder.servers;
    this.timeout = builder.timeout;
    this.attempts = builder.attempts;
    this.client =
        Client.builder(group)
            .timeouts(
                Timeouts.INTERACTIVE
                    .withConnect(timeout)
                    .withIdle(Duration.ofSeconds(TCP_IDLE_SECONDS)))
            .build();
  }

  public List<InetSocketAddress> servers() {
    return servers;
  }

  /** Asks the question; the future fails with {@link NoAnswerException} if no server answered. */
  public CompletableFuture<DnsResponse> query(DnsQuery query) {
    var result = new CompletableFuture<DnsResponse>();
    Thread.ofVirtual()
        .name("wharf-dns-query")
        .start(
            () -> {
              try {
                result.complete(run(query));
              } catch (InterruptedException e) {
                result.completeExceptionally(e);
              } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
              }
            });
    return result;
  }

  private DnsResponse run(DnsQuery query) throws IOException, InterruptedException {
    var failures = new ArrayList<Exception>();
    for (int round = 0; round < attempts; round++) {
      for (InetSocketAddress server : servers) {
        try {
          return ask(server, query);
        } catch (TimeoutException e) {
          failures.add(
              new IOException(
                  "no answer from " + describe(server) + " in " + timeout.toMillis() + " ms"));
        } catch (IOException e) {
          failures.add(e);
        }
        LOG.log(Level.DEBUG, () -> "try failed: " + failures.getLast().getMessage());
      }
    }
    var noAnswer =
        new NoAnswerException(
            (failures.getLast().getMessage().startsWith("no answer")
                    ? "connection timed out; no servers could be reached"
                    : failures.getLast().getMessage())
                + " ("
                + failures.size()
                + (failures.size() == 1 ? " try)" : " tries)"));
    failures.forEach(noAnswer::addSuppressed);
    throw noAnswer;
  }

  private DnsResponse ask(InetSocketAddress server, DnsQuery query)
      throws IOException, InterruptedException, TimeoutException {
    // RFC 5452 §4: an id nobody can guess, new for each try.
    Message message = message(query, RANDOM.nextInt(0x10000));
    byte[] bytes = DnsMessageWriter.write(message);
    // dig's "Query time": from the query's send (or, over TCP, the connect) to the answer.
    long[] start = new long[1];
    if (!query.tcp()) {
      UdpExchange.Received answer =
          UdpExchange.exchange(group, server, message, bytes, timeout, start);
      // RFC 7766 §5 (and RFC 1035 §4.2.1): a truncated answer is asked again over TCP.
      if (!answer.message().header().isTruncated()) {
        return response(answer, server, Transport.UDP, start);
      }
      LOG.log(
          Level.DEBUG, () -> "truncated answer from " + describe(server) + ", retrying over TCP");
      message = message(query, RANDOM.nextInt(0x10000));
      bytes = DnsMessageWriter.write(message);
    }
    return response(overTcp(server, message, bytes, start), server, Transport.TCP, start);
  }

  /**
   * Asks on the server's open connection, or a new one. When a connection that has answered before
   * ends before answering (the server closed it while idle, RFC 7766 §6.2.3), the query goes once
   * more on a new connection: it cannot have been answered, and asking again is harmless.
   */
  private UdpExchange.Received overTcp(
      InetSocketAddress server, Message message, byte[] bytes, long[] start)
      throws IOException, InterruptedException, TimeoutException {
    for (int attempt = 0; ; attempt++) {
      TcpSession session =
          sessions.compute(
              server,
              (key, open) -> open == null || open.ended() ? new TcpSession(client, key) : open);
      try {
        return session.exchange(message, bytes, timeout, start);
      } catch (IOException e) {
        if (attempt == 0 && session.reused() && session.ended()) {
          LOG.log(
              Level.DEBUG, () -> "reused connection ended, asking on a new one: " + e.getMessage());
          continue;
        }
        throw e;
      } finally {
        if (session.ended()) {
          sessions.remove(server, session);
        }
      }
    }
  }

  /** Closes the TCP connections kept open; queries in flight on them fail. */
  @Override
  public void close() {
    sessions.values().forEach(TcpSession::close);
    sessions.clear();
  }

  private static Message message(DnsQuery query, int id) {
    return query.ednsPayloadSize() > 0
        ? Message.query(
            id,
            query.question(),
            query.recursionDesired(),
            Edns.of(query.ednsPayloadSize(), query.dnssecOk()))
        : Message.query(id, query.question(), query.recursionDesired());
  }

  private static DnsResponse response(
      UdpExchange.Received answer, InetSocketAddress server, Transport transport, long[] start) {
    return new DnsResponse(
        answer.message(),
        server,
        transport,
        answer.size(),
        Duration.ofNanos(answer.arrivedNanos() - start[0]));
  }

  /** dig's way of naming a server: {@code 127.0.0.1#53}, {@code ::1#5353}. */
  public static String describe(InetSocketAddress server) {
    return address(server) + "#" + server.getPort();
  }

  /** The server's address as dig prints it (IPv6 compressed, RFC 5952). */
  public static String address(InetSocketAddress server) {
    return server.getAddress() instanceof java.net.Inet6Address v6
        ? dev.wharf.core.Addresses.ipv6(v6.getAddress())
        : server.getAddress().getHostAddress();
  }
}
