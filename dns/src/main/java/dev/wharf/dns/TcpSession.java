package dev.wharf.dns;

import dev.wharf.core.Client;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Protocol;
import dev.wharf.dns.codec.DnsFormatException;
import dev.wharf.dns.codec.DnsMessageReader;
import dev.wharf.dns.codec.DnsTcpFrameDecoder;
import dev.wharf.dns.codec.Message;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One TCP connection to a server that carries any number of queries (RFC 7766 §6.2): each query is
 * framed with its two-octet length and sent as soon as it is asked, without waiting for the answers
 * before it (pipelining), and each answer is matched to its query by id, in whatever order the
 * server sends them (§7). The connection stays open for the next queries until it has been idle for
 * the client's idle timeout, or the server closes it.
 *
 * <p>Thread-safe: {@link #exchange} blocks its caller (a resolver's virtual thread) and may be
 * called by several at once; the {@link Protocol} methods run on the connection's loop.
 */
final class TcpSession implements Protocol {
  private static final System.Logger LOG = LazyLogger.of(TcpSession.class);

  /** A query waiting for its answer. */
  private record Pending(Message query, CompletableFuture<UdpExchange.Received> answer) {}

  private final InetSocketAddress server;
  private final CompletableFuture<Connection> connecting;
  private final DnsTcpFrameDecoder decoder = new DnsTcpFrameDecoder(); // loop only
  private final Map<Integer, Pending> pending = new HashMap<>(); // guarded by itself
  private boolean ended; // guarded by pending
  private boolean answeredOnce; // guarded by pending

  /** Starts connecting at once; queries asked meanwhile wait for the connection. */
  TcpSession(Client client, InetSocketAddress server) {
    this.server = server;
    this.connecting = client.connect(server, this);
    connecting.whenComplete(
        (connection, failure) -> {
          if (failure != null) {
            end(failure instanceof IOException io ? io : new IOException(failure));
          }
        });
  }

  /** Whether this session can take no more queries: its connection failed or closed. */
  boolean ended() {
    synchronized (pending) {
      return ended;
    }
  }

  /** Whether an answer has come on this connection: a later failure is then of a reused one. */
  boolean reused() {
    synchronized (pending) {
      return answeredOnce;
    }
  }

  /**
   * Sends the query and waits for its answer. {@code sentNanos[0]} gets the time the query was
   * asked (on a new connection, before the connect: dig's "Query time" counts it).
   *
   * @throws IOException the connection failed or closed before the answer, or the answer was
   *     malformed; or another query in flight here has the same id (the caller picks a new id)
   */
  UdpExchange.Received exchange(
      Message query, byte[] queryBytes, Duration timeout, long[] sentNanos)
      throws IOException, InterruptedException, TimeoutException {
    int id = query.header().id();
    var waiting = new Pending(query, new CompletableFuture<>());
    synchronized (pending) {
      if (ended) {
        throw new IOException("the connection to " + DnsResolver.describe(server) + " has ended");
      }
      if (pending.putIfAbsent(id, waiting) != null) {
        throw new IOException("a query with id " + id + " is already in flight on this connection");
      }
    }
    sentNanos[0] = System.nanoTime();
    long deadline = sentNanos[0] + timeout.toNanos();
    try {
      Connection connection = connecting.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      connection.write(DnsTcpFrameDecoder.frame(queryBytes));
      return waiting.answer().get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } finally {
      synchronized (pending) {
        pending.remove(id, waiting);
      }
    }
  }

  /** Closes the connection; queries in flight fail. */
  void close() {
    connecting.thenAccept(Connection::close);
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    try {
      for (byte[] frame : decoder.decode(data)) {
        answer(connection, DnsMessageReader.read(frame), frame.length);
      }
    } catch (DnsFormatException e) {
      // The framing can no longer be trusted: every query on this connection fails.
      end(
          new IOException(
              "malformed answer from " + connection.remoteAddress() + ": " + e.getMessage()));
      connection.close();
    }
  }

  private void answer(Connection connection, Message message, int size) {
    Pending waiting;
    synchronized (pending) {
      waiting = pending.get(message.header().id());
    }
    var mismatch =
        waiting == null
            ? java.util.Optional.of("no query in flight has id " + message.header().id())
            : AnswerCheck.mismatch(waiting.query(), message);
    if (mismatch.isPresent()) {
      LOG.log(
          Level.DEBUG,
          () -> "ignored a message on " + connection.remoteAddress() + ": " + mismatch.get());
      return;
    }
    synchronized (pending) {
      answeredOnce = true;
    }
    waiting.answer().complete(new UdpExchange.Received(message, size, System.nanoTime()));
  }

  @Override
  public void inputClosed(Connection connection) {
    end(new IOException(DnsResolver.describe(server) + " closed the connection before answering"));
    connection.close();
  }

  @Override
  public void closed(Connection connection, CloseReason reason) {
    end(
        new IOException(
            "connection to " + DnsResolver.describe(server) + " ended: " + reason.message()));
  }

  /** No more queries here; those in flight fail with {@code why}. */
  private void end(IOException why) {
    List<Pending> failed;
    synchronized (pending) {
      ended = true;
      failed = new ArrayList<>(pending.values());
    }
    for (Pending waiting : failed) {
      waiting.answer().completeExceptionally(why);
    }
  }

  @Override
  public String name() {
    return "dns-tcp";
  }
}
