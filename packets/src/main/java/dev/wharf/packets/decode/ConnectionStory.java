package dev.wharf.packets.decode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * TCP connections told as stories ({@code wharf trace --follow}): each packet of a connection
 * becomes a line saying what it means for the connection, in the words of the handshake and the
 * close (SYN, SYN-ACK, ACK, data, FIN, the last ACK and who is left in TIME-WAIT), with the
 * round-trip time measured from the handshake as seen from the capture point (SYN to SYN-ACK, plus
 * SYN-ACK to ACK), and retransmissions marked (a segment whose bytes were seen before). Packets
 * that are not TCP give nothing. Not thread-safe: one per capture.
 */
public final class ConnectionStory {
  /**
   * Connections are forgotten after this many, oldest first, so that a long capture stays small.
   */
  private static final int MOST_CONNECTIONS = 10_000;

  /** One end: address and port, as tcpdump joins them. */
  private record End(String address, int port) {
    @Override
    public String toString() {
      return address + "." + port;
    }
  }

  private record Key(End low, End high) {
    static Key of(End a, End b) {
      return a.toString().compareTo(b.toString()) <= 0 ? new Key(a, b) : new Key(b, a);
    }
  }

  /** What one direction has sent: its first sequence number and the highest one sent so far. */
  private static final class Side {
    final End end;
    long initial = -1;
    long highest = -1;
    boolean finSent;
    long finSeq;

    Side(End end) {
      this.end = end;
    }
  }

  private static final class Connection {
    final int number;
    final Side client;
    final Side server;
    final boolean sawSyn;
    Instant synAt;
    Instant synAckAt;
    boolean established;
    Side firstToClose;
    boolean closed;

    Connection(int number, Side client, Side server, boolean sawSyn) {
      this.number = number;
      this.client = client;
      this.server = server;
      this.sawSyn = sawSyn;
    }

    Side side(End end) {
      return client.end.equals(end) ? client : server;
    }

    Side other(Side side) {
      return side == client ? server : client;
    }

    String name(Side side) {
      if (!sawSyn) {
        return side == client ? "A" : "B";
      }
      return side == client ? "client" : "server";
    }
  }

  private final Map<Key, Connection> connections = new HashMap<>();
  private final Names names;
  private int opened;

  /** Stories with addresses and ports as numbers (tcpdump -n). */
  public ConnectionStory() {
    this(Names.NUMERIC);
  }

  /**
   * Stories with addresses and ports written as {@code names} gives them, as {@link TcpdumpText}
   * writes them ("localhost.http"); connections are still told apart by number.
   */
  public ConnectionStory(Names names) {
    this.names = names;
  }

  /** What {@code packet}, seen at {@code time}, tells of its connection; empty if not TCP. */
  public Optional<String> next(Instant time, DecodedPacket packet) {
    Optional<Layer.Tcp> tcpLayer = packet.layer(Layer.Tcp.class);
    if (tcpLayer.isEmpty()) {
      return Optional.empty();
    }
    Layer.Tcp tcp = tcpLayer.get();
    String source = "";
    String destination = "";
    for (Layer layer : packet.layers()) {
      if (layer instanceof Layer.Ipv4 ip) {
        source = ip.source();
        destination = ip.destination();
      } else if (layer instanceof Layer.Ipv6 ip) {
        source = ip.source();
        destination = ip.destination();
      }
    }
    End from = new End(source, tcp.sourcePort());
    End to = new End(destination, tcp.destinationPort());
    Key key = Key.of(from, to);
    Connection connection = connections.get(key);
    boolean syn = (tcp.flags() & 0x02) != 0;
    boolean ack = (tcp.flags() & 0x10) != 0;
    if (connection == null || connection.closed && syn && !ack) {
      if (connections.size() >= MOST_CONNECTIONS) {
        connections.clear(); // Rare and simple: a capture this long restarts its stories.
      }
      // Without the SYN, the first sender is "A"; with it, the SYN's sender is the client.
      boolean opening = syn && !ack;
      connection = new Connection(++opened, new Side(from), new Side(to), opening);
      connections.put(key, connection);
    }
    Side sender = connection.side(from);
    String what = tell(connection, sender, tcp, time);
    return Optional.of(
        String.format(
            "[%d] %s %s > %s: %s",
            connection.number, connection.name(sender), named(from), named(to), what));
  }

  private String named(End end) {
    return names.host(end.address()) + "." + names.tcpPort(end.port());
  }

  private static String tell(Connection c, Side sender, Layer.Tcp tcp, Instant time) {
    int flags = tcp.flags();
    boolean syn = (flags & 0x02) != 0;
    boolean ack = (flags & 0x10) != 0;
    boolean fin = (flags & 0x01) != 0;
    boolean rst = (flags & 0x04) != 0;
    long seq = tcp.sequence();
    int length = tcp.payloadLength();
    Side receiver = c.other(sender);
    var text = new ArrayList<String>();
    // A segment is a retransmission when every byte (or the SYN or FIN) in it was sent before.
    long end = (seq + length + (syn ? 1 : 0) + (fin ? 1 : 0)) & 0xffffffffL;
    boolean consumes = length > 0 || syn || fin;
    boolean again = consumes && sender.highest >= 0 && !after(end, sender.highest);
    if (syn) {
      if (sender.initial < 0) {
        sender.initial = seq;
      }
      if (!ack) {
        if (c.synAt == null) {
          c.synAt = time;
        }
        text.add("SYN: opens the connection" + options(tcp));
      } else {
        if (c.synAckAt == null) {
          c.synAckAt = time;
        }
        String rtt = c.synAt == null ? "" : ", " + millis(c.synAt, time) + " after the SYN";
        text.add("SYN-ACK: accepts" + rtt + options(tcp));
      }
    } else if (rst) {
      text.add("RST: resets the connection" + (length > 0 ? " (" + length + " bytes)" : ""));
      c.closed = true;
    } else {
      if (ack && !c.established && c.synAckAt != null && sender == c.client) {
        c.established = true;
        String rtt =
            c.synAt == null
                ? ""
                : String.format(
                    ", handshake RTT %s (SYN to SYN-ACK %s + SYN-ACK to ACK %s)",
                    millis(c.synAt, time), millis(c.synAt, c.synAckAt), millis(c.synAckAt, time));
        if (length == 0 && !fin) {
          text.add("ACK: established" + rtt);
        } else {
          text.add("established" + rtt);
        }
      }
      if (length > 0) {
        text.add(
            String.format(
                "%d bytes (seq %d:%d)",
                length, relative(sender, seq), relative(sender, seq) + length));
      }
      if (fin) {
        sender.finSent = true;
        sender.finSeq = (seq + length) & 0xffffffffL;
        if (c.firstToClose == null) {
          c.firstToClose = sender;
          text.add("FIN: closes its side (active close)");
        } else {
          text.add("FIN: closes its side too (passive close)");
        }
      } else if (ack && length == 0 && text.isEmpty()) {
        if (receiver.finSent
            && !after(receiver.finSeq + 1 & 0xffffffffL, tcp.acknowledgement())
            && sender.finSent) {
          c.closed = true;
          Side waiting = c.firstToClose == null ? sender : c.firstToClose;
          text.add(
              "ACK of the last FIN: closed; the "
                  + c.name(waiting)
                  + " (first to close) waits in TIME-WAIT for 2 MSL (60 s on Linux)");
        } else {
          text.add("ACK " + relative(receiver, tcp.acknowledgement()));
        }
      }
    }
    if (again) {
      text.addFirst("RETRANSMISSION");
    }
    if (consumes && (sender.highest < 0 || after(end, sender.highest))) {
      sender.highest = end;
    }
    return String.join(", ", text);
  }

  /** True when sequence number {@code a} comes after {@code b}, modulo 2^32 (RFC 1982). */
  private static boolean after(long a, long b) {
    return ((a - b) & 0xffffffffL) != 0 && ((a - b) & 0xffffffffL) < 0x8000_0000L;
  }

  private static long relative(Side side, long seq) {
    return side.initial < 0 ? seq : (seq - side.initial) & 0xffffffffL;
  }

  private static String options(Layer.Tcp tcp) {
    var kept = new ArrayList<String>();
    // An option the capture cut inside is only its name: not said.
    int whole =
        tcp.optionsEnd() == Layer.Tcp.OptionsEnd.CUT_INSIDE
            ? tcp.options().size() - 1
            : tcp.options().size();
    for (String option : tcp.options().subList(0, whole)) {
      boolean known =
          option.startsWith("mss") || option.startsWith("wscale") || option.equals("sackOK");
      if (known && !option.contains("[")) { // not "[bad opt]" nor "[len 3]"
        kept.add(option);
      }
    }
    return kept.isEmpty() ? "" : " (" + String.join(", ", kept) + ")";
  }

  private static String millis(Instant from, Instant to) {
    return String.format(Locale.ROOT, "%.3f ms", Duration.between(from, to).toNanos() / 1e6);
  }

  /** The connections seen so far. */
  public int connections() {
    return opened;
  }

  /** For tests: the stories of {@code packets}, one line each (non-TCP ones left out). */
  public static List<String> of(List<Instant> times, List<DecodedPacket> packets) {
    var story = new ConnectionStory();
    var lines = new ArrayList<String>();
    for (int i = 0; i < packets.size(); i++) {
      story.next(times.get(i), packets.get(i)).ifPresent(lines::add);
    }
    return lines;
  }
}
