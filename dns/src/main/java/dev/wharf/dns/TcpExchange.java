package dev.wharf.dns;

import dev.wharf.core.Client;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One try over TCP (RFC 7766): connect, send the query with its two-octet length, read framed
 * messages until the one that answers it, close.
 *
 * <p>{@link #exchange} blocks its caller (the resolver's virtual thread); the {@link Protocol}
 * methods run on the connection's loop.
 */
final class TcpExchange implements Protocol {
  private static final System.Logger LOG = System.getLogger(TcpExchange.class.getName());

  private final Message query;
  private final ByteBuffer framedQuery;
  private final DnsTcpFrameDecoder decoder = new DnsTcpFrameDecoder();
  private final CompletableFuture<UdpExchange.Received> answer = new CompletableFuture<>();

  private TcpExchange(Message query, byte[] queryBytes) {
    this.query = query;
    this.framedQuery = DnsTcpFrameDecoder.frame(queryBytes);
  }

  static UdpExchange.Received exchange(
      Client client,
      InetSocketAddress server,
      Message query,
      byte[] queryBytes,
      Duration timeout,
      long[] sentNanos)
      throws IOException, InterruptedException, TimeoutException {
    var exchange = new TcpExchange(query, queryBytes);
    sentNanos[0] = System.nanoTime();
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<Connection> connecting = client.connect(server, exchange);
    Connection connection = null;
    try {
      connection = connecting.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return exchange.answer.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } finally {
      if (connection != null) {
        connection.close();
      } else {
        connecting.thenAccept(Connection::close);
      }
    }
  }

  @Override
  public void opened(Connection connection) {
    connection.write(framedQuery.duplicate());
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    try {
      for (byte[] frame : decoder.decode(data)) {
        Message message = DnsMessageReader.read(frame);
        var mismatch = AnswerCheck.mismatch(query, message);
        if (mismatch.isPresent()) {
          LOG.log(
              Level.DEBUG,
              () -> "ignored a message on " + connection.remoteAddress() + ": " + mismatch.get());
          continue;
        }
        answer.complete(new UdpExchange.Received(message, frame.length, System.nanoTime()));
        connection.close();
        return;
      }
    } catch (DnsFormatException e) {
      answer.completeExceptionally(
          new IOException(
              "malformed answer from " + connection.remoteAddress() + ": " + e.getMessage()));
      connection.close();
    }
  }

  @Override
  public void inputClosed(Connection connection) {
    answer.completeExceptionally(
        new IOException(connection.remoteAddress() + " closed the connection before answering"));
    connection.close();
  }

  @Override
  public void closed(Connection connection, CloseReason reason) {
    if (!answer.isDone()) {
      answer.completeExceptionally(
          new IOException(
              "connection to " + connection.remoteAddress() + " ended: " + reason.message()));
    }
  }

  @Override
  public String name() {
    return "dns-tcp";
  }
}
