package dev.wharf.dns;

import dev.wharf.core.DatagramEndpoint;
import dev.wharf.core.DatagramHandler;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.LazyLogger;
import dev.wharf.dns.codec.DnsFormatException;
import dev.wharf.dns.codec.DnsMessageReader;
import dev.wharf.dns.codec.Message;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One try over UDP: a fresh endpoint on a port the kernel picks at random, one query sent, and the
 * first datagram that is its answer; everything else that arrives is dropped.
 *
 * <p>{@link #exchange} blocks its caller (the resolver's virtual thread); {@link #received} runs on
 * the endpoint's loop and completes the future the caller waits on.
 */
final class UdpExchange implements DatagramHandler {
  private static final System.Logger LOG = LazyLogger.of(UdpExchange.class);

  /**
   * An answer, its size on the wire, and when it arrived ({@link System#nanoTime()}), read on the
   * loop as it arrived.
   */
  record Received(Message message, int size, long arrivedNanos) {}

  private final InetSocketAddress server;
  private final Message query;
  private final CompletableFuture<Received> answer = new CompletableFuture<>();

  private UdpExchange(InetSocketAddress server, Message query) {
    this.server = server;
    this.query = query;
  }

  /**
   * Sends {@code queryBytes} to {@code server} and returns the answer that matches {@code query},
   * or throws {@link java.util.concurrent.TimeoutException} when none came within {@code timeout}.
   */
  static Received exchange(
      EventLoopGroup group,
      InetSocketAddress server,
      Message query,
      byte[] queryBytes,
      Duration timeout,
      long[] sentNanos)
      throws IOException, InterruptedException, java.util.concurrent.TimeoutException {
    var exchange = new UdpExchange(server, query);
    boolean v6 = server.getAddress() instanceof Inet6Address;
    // RFC 5452 §9.2: a source port as random as the id; port 0 lets the kernel pick one at random
    // from its ephemeral range, a new one for each try.
    var wildcard = new InetSocketAddress(v6 ? "::" : "0.0.0.0", 0);
    DatagramEndpoint endpoint =
        DatagramEndpoint.builder(group)
            .family(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)
            .name("dns " + server)
            .bind(wildcard, exchange);
    try {
      // Connected, the kernel drops datagrams from any other address and port before we see
      // them, and reports the server's ICMP "port unreachable" (a refused try ends at once);
      // received() checks the sender all the same.
      endpoint.connect(server);
      sentNanos[0] = System.nanoTime();
      endpoint.send(ByteBuffer.wrap(queryBytes));
      return exchange.answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } finally {
      endpoint.close();
    }
  }

  @Override
  public void received(DatagramEndpoint endpoint, ByteBuffer data, SocketAddress sender) {
    if (!server.equals(sender)) {
      drop(sender, "it did not come from the server " + server);
      return;
    }
    int size = data.remaining();
    Message message;
    try {
      message = DnsMessageReader.read(data);
    } catch (DnsFormatException e) {
      drop(sender, e.getMessage());
      return;
    }
    Optional<String> mismatch = AnswerCheck.mismatch(query, message);
    if (mismatch.isPresent()) {
      drop(sender, mismatch.get());
      return;
    }
    answer.complete(new Received(message, size, System.nanoTime()));
  }

  private static void drop(SocketAddress sender, String why) {
    LOG.log(Level.DEBUG, () -> "dropped a datagram from " + sender + ": " + why);
  }

  @Override
  public void unreachable(DatagramEndpoint endpoint, SocketAddress peer, IOException error) {
    if (server.equals(peer)) {
      answer.completeExceptionally(
          new IOException(
              "communications error to " + DnsResolver.describe(server) + ": connection refused",
              error));
    }
  }
}
