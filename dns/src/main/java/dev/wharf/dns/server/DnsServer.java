package dev.wharf.dns.server;

import dev.wharf.core.Connection;
import dev.wharf.core.DatagramEndpoint;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Protocol;
import dev.wharf.core.Server;
import dev.wharf.core.Timeouts;
import dev.wharf.dns.codec.DnsFormatException;
import dev.wharf.dns.codec.DnsMessageReader;
import dev.wharf.dns.codec.DnsMessageWriter;
import dev.wharf.dns.codec.DnsTcpFrameDecoder;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Rcode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * An authoritative DNS server on one address and port, over UDP and TCP (RFC 7766: several queries
 * per connection, answered in order). A UDP answer that does not fit 512 octets, or the client's
 * EDNS payload size, goes back empty with TC set (RFC 2181 §9), so the client asks again over TCP.
 * A query that cannot be parsed gets FORMERR when its id can be read, else nothing; a message with
 * QR set (an answer) gets nothing. Over TCP, a message that gets nothing, or one too short to hold
 * a header, closes the connection, as NSD does, and so does {@code tcpIdleTimeout} without a byte
 * either way (a frame announced and never completed included).
 *
 * <p>UDP on Linux is read and answered in batches by a thread of its own ({@link BatchedUdpLoop}:
 * recvmmsg and sendmmsg through the FFM API, which wants {@code
 * --enable-native-access=dev.wharf.dns}); elsewhere, or with {@code -Dwharf.dns.udp=channel}, by a
 * {@link DatagramEndpoint} on a loop. A plain query asked before is answered from {@link
 * RawAnswers} without parsing it or allocating.
 *
 * <p>Thread-safe: the {@link Authority} is immutable and {@link #serve(List)} swaps it; datagrams
 * are handled on the UDP thread or loop, each connection on its loop. {@link #close()} from any
 * thread but those.
 */
public final class DnsServer implements AutoCloseable {
  private static final System.Logger LOG = LazyLogger.of(DnsServer.class);

  /** RFC 1035 §4.2.1: without EDNS, a UDP message holds at most 512 octets. */
  private static final int CLASSIC_UDP_LIMIT = 512;

  /** TCP answers are never cut: a message there holds up to 65,535 octets (RFC 1035 §4.2.2). */
  private static final int TCP_LIMIT = 65_535;

  /** RFC 1035 §4.1.1: the header every message starts with. */
  private static final int HEADER_LENGTH = 12;

  /**
   * RFC 7766 §6.2.3: a server should close idle connections; Knot's tcp-idle-timeout is 10 s. The
   * core's default of 5 minutes would let a silent or half-framed client hold a socket that long.
   */
  public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How many ports the kernel's UDP pick is tried on for TCP, for port 0: the port it gives UDP may
   * already hold another process's TCP socket (a full verify lost a test to that once).
   */
  private static final int PORT_ZERO_ATTEMPTS = 16;

  /** The opcode's four bits in a header's flags (RFC 1035 4.1.1). */
  private static final int OPCODE_BITS = 0x7800;

  /**
   * How UDP is read when this is {@code channel}: one datagram at a time through the JDK's
   * DatagramChannel on an event loop, the way off Linux (and the one to compare with).
   */
  static final String UDP_PROPERTY = "wharf.dns.udp";

  /**
   * The zones' answers and the answers already written: replaced together on a reload. {@code raw}
   * is touched by the UDP thread only.
   */
  private record Served(Authority authority, AnswerCache cache, RawAnswers raw) {
    Served(List<Zone> zones) {
      this(new Authority(zones), new AnswerCache(), new RawAnswers());
    }
  }

  /** Replaced whole on a reload: a query sees the zones before or after, never a mix. */
  private volatile Served served;

  /** One of the two is null: UDP through recvmmsg on Linux, else through a DatagramChannel. */
  private final BatchedUdpLoop batchedUdp;

  private final DatagramEndpoint channelUdp;

  /** The channel path's datagram and answer, reused: confined to its endpoint's loop. */
  private final byte[] channelQuery = new byte[65_535];

  private final byte[] channelAnswer = new byte[65_535];
  private final Server tcp;

  private DnsServer(
      EventLoopGroup group, InetSocketAddress address, List<Zone> zones, Duration tcpIdleTimeout)
      throws IOException {
    this.served = new Served(zones);
    this.batchedUdp = "channel".equals(System.getProperty(UDP_PROPERTY)) ? null : batched(address);
    this.channelUdp =
        batchedUdp != null
            ? null
            : DatagramEndpoint.builder(group)
                .name("dns")
                .bind(address, (endpoint, data, sender) -> answerDatagram(endpoint, data, sender));
    InetSocketAddress bound = new InetSocketAddress(address.getAddress(), port());
    try {
      this.tcp =
          Server.builder(group)
              .timeouts(Timeouts.DEFAULTS.withIdle(tcpIdleTimeout))
              .bind(bound, TcpSession::new);
    } catch (IOException | RuntimeException e) {
      closeUdp();
      throw e;
    }
  }

  /** UDP in batches, or null where that cannot be had (then the DatagramChannel does). */
  private BatchedUdpLoop batched(InetSocketAddress address) throws IOException {
    try {
      return BatchedUdpLoop.start(address, this::answerDatagram);
    } catch (UnsupportedOperationException | IllegalCallerException | LinkageError e) {
      LOG.log(Level.DEBUG, () -> "UDP one datagram at a time: " + e);
      return null;
    }
  }

  /** Serves the zones on {@code address} (port 0: one the kernel picks, the same for TCP). */
  public static DnsServer start(EventLoopGroup group, InetSocketAddress address, List<Zone> zones)
      throws IOException {
    return start(group, address, zones, DEFAULT_TCP_IDLE_TIMEOUT);
  }

  /**
   * As {@link #start(EventLoopGroup, InetSocketAddress, List)}, closing idle TCP sooner or later.
   */
  public static DnsServer start(
      EventLoopGroup group, InetSocketAddress address, List<Zone> zones, Duration tcpIdleTimeout)
      throws IOException {
    if (tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "the TCP idle timeout must be positive: " + tcpIdleTimeout);
    }
    // Port 0 means one port for both, and only UDP's pick is the kernel's: when TCP cannot have
    // the same number, UDP is given it back and another is picked.
    for (int attempt = 1; ; attempt++) {
      try {
        return new DnsServer(group, address, zones, tcpIdleTimeout);
      } catch (BindException e) {
        if (address.getPort() != 0 || attempt == PORT_ZERO_ATTEMPTS) {
          throw e;
        }
        LOG.log(Level.DEBUG, () -> "port 0: TCP could not have UDP's port (" + e + "); again");
      }
    }
  }

  /**
   * Answers from these zones from now on (a reload); queries in flight finish with the old ones.
   */
  public void serve(List<Zone> zones) {
    served = new Served(zones);
  }

  /** Whether UDP is read in batches (recvmmsg) rather than through a DatagramChannel. */
  boolean isUdpBatched() {
    return batchedUdp != null;
  }

  public int port() {
    return batchedUdp != null ? batchedUdp.port() : channelUdp.port();
  }

  private void answerDatagram(
      DatagramEndpoint endpoint, ByteBuffer data, java.net.SocketAddress sender) {
    int length = data.remaining();
    data.get(channelQuery, 0, length);
    int written = answerDatagram(channelQuery, length, false, channelAnswer);
    if (written >= 0) {
      endpoint.send(ByteBuffer.wrap(channelAnswer, 0, written), sender);
    }
  }

  /**
   * Writes the answer to the datagram {@code query[0, length)} into {@code out}; its length, or -1
   * when none goes back. A plain query asked before is answered from {@link RawAnswers}, without
   * parsing or allocating; the others are parsed and answered, and kept there. {@code cut}: the
   * datagram was longer than the buffer, so only its id is worth reading. On the UDP thread.
   */
  private int answerDatagram(byte[] query, int length, boolean cut, byte[] out) {
    Served now = served;
    int nameEnd = cut ? -1 : RawAnswers.nameEnd(query, length);
    int keyEnd = nameEnd > 0 ? RawAnswers.keyEnd(query, length, nameEnd) : -1;
    if (keyEnd > 0) {
      int written = now.raw().answer(query, keyEnd, nameEnd, out);
      if (written >= 0) {
        return written;
      }
    }
    byte[] copy = java.util.Arrays.copyOf(query, length);
    Message message = cut ? null : parse(copy);
    // RFC 6891 §6.2.5: the client's EDNS size, within ours; without EDNS, 512 (RFC 1035 §4.2.1).
    int limit =
        message != null && message.edns().isPresent()
            ? Math.min(Edns.DEFAULT_PAYLOAD, message.edns().get().effectivePayloadSize())
            : CLASSIC_UDP_LIMIT;
    byte[] answer = answer(now, copy, message, limit);
    if (answer == null || answer.length > out.length) {
      return -1;
    }
    if (keyEnd > 0 && message != null) {
      now.raw().keep(copy, keyEnd, nameEnd, answer);
    }
    System.arraycopy(answer, 0, out, 0, answer.length);
    return answer.length;
  }

  /** The octets to send back to a query (null: none), cut to {@code limit}. */
  private byte[] answer(Served now, byte[] query, Message message, int limit) {
    if (isResponse(query)) {
      return null; // never answer an answer, parsed or not: that is how reflection loops start
    }
    if (message == null) {
      Message error = formatError(query);
      return error == null ? null : DnsMessageWriter.write(error);
    }
    return now.cache().answer(message, limit, q -> encode(now.authority().answer(q), limit));
  }

  /** The response's octets; an empty one with TC when it does not fit {@code limit}. */
  private static byte[] encode(Message response, int limit) {
    byte[] bytes = DnsMessageWriter.write(response);
    if (bytes.length <= limit) {
      return bytes;
    }
    // RFC 2181 §9: a truncated answer is better empty than missing part of an RRset.
    Message truncated =
        new Message(
            response.header().withFlag(Header.TC, true),
            response.questions(),
            List.of(),
            List.of(),
            response.edns().map(e -> List.of(e.toRecord())).orElse(List.of()));
    return DnsMessageWriter.write(truncated);
  }

  /** Whether the header's QR bit says this is an answer; NSD drops those before parsing. */
  private static boolean isResponse(byte[] query) {
    return query.length > 2 && (query[2] & 0x80) != 0;
  }

  /** The query, or null when it cannot be parsed. */
  private static Message parse(byte[] query) {
    if (query.length < HEADER_LENGTH || isResponse(query)) {
      return null;
    }
    try {
      return DnsMessageReader.read(query);
    } catch (DnsFormatException e) {
      LOG.log(Level.DEBUG, () -> "malformed query: " + e.getMessage());
      return null;
    }
  }

  /** FORMERR for a query that does not parse, when its id can be read; else null (no answer). */
  private static Message formatError(byte[] query) {
    if (query.length < HEADER_LENGTH) {
      return null;
    }
    int id = ((query[0] & 0xff) << 8) | (query[1] & 0xff);
    // RFC 1035 4.1.1: the opcode and RD are "copied into the response", as for any answer.
    int queryFlags = ((query[2] & 0xff) << 8) | (query[3] & 0xff);
    int copied = queryFlags & (OPCODE_BITS | Header.RD);
    return new Message(
        new Header(id, Header.QR | copied).withRcode(Rcode.FORMERR),
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  /** One TCP connection: framed queries in, framed answers out, in order. */
  private final class TcpSession implements Protocol {
    private final DnsTcpFrameDecoder decoder = new DnsTcpFrameDecoder();

    @Override
    public void received(Connection connection, ByteBuffer data) {
      try {
        for (byte[] frame : decoder.decode(data)) {
          byte[] answer = answer(served, frame, parse(frame), TCP_LIMIT);
          if (answer == null) {
            // No id to answer with, or an answer sent to us: NSD drops the whole connection
            // rather than keep one whose client waits for a reply that never comes.
            LOG.log(
                Level.DEBUG, "tcp: a message of {0} octets gets no answer: closing", frame.length);
            connection.closeAfterFlush();
            return;
          }
          connection.write(DnsTcpFrameDecoder.frame(answer));
        }
      } catch (DnsFormatException e) {
        LOG.log(Level.DEBUG, () -> "tcp: broken framing: " + e.getMessage());
        connection.close();
      }
    }
  }

  @Override
  public void close() {
    tcp.close();
    closeUdp();
  }

  private void closeUdp() {
    if (batchedUdp != null) {
      batchedUdp.close();
    }
    if (channelUdp != null) {
      channelUdp.close();
    }
  }
}
