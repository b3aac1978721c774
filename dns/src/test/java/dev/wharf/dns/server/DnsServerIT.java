package dev.wharf.dns.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.dns.codec.DnsMessageReader;
import dev.wharf.dns.codec.DnsMessageWriter;
import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.EdnsOption;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Octets;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.Rcode;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the server does with queries that are not well-formed questions, over UDP. */
@Timeout(30)
class DnsServerIT {
  private static final String ZONE =
      "$ORIGIN example.test.\n$TTL 60\n@ SOA ns1 host 1 2 3 4 5\n@ NS ns1\nns1 A 127.0.0.1\n";

  @Test
  void malformedQueriesGetFormerrAndAnswersGetNothing() throws Exception {
    try (var group = new EventLoopGroup(1, "dns-test", true);
        var server = startServer(group);
        var client = clientOf(server)) {
      // A header and a pointer loop for a name.
      client.write(
          ByteBuffer.wrap(
              new byte[] {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 1, 0, 1}));
      Message formerr = receive(client);
      assertThat(formerr.header().id()).isEqualTo(0x1234);
      assertThat(formerr.rcode()).isEqualTo(Rcode.FORMERR);
      assertThat(formerr.header().flags() & (0x7800 | Header.RD)).isZero();

      // The same with RD and opcode NOTIFY (4): both are copied into the FORMERR (RFC 1035 4.1.1).
      client.write(
          ByteBuffer.wrap(
              new byte[] {
                0x12, 0x35, 0x21, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 1, 0, 1
              }));
      Message copied = receive(client);
      assertThat(copied.header().id()).isEqualTo(0x1235);
      assertThat(copied.rcode()).isEqualTo(Rcode.FORMERR);
      assertThat(copied.header().flags() & 0x7800).isEqualTo(4 << 11);
      assertThat(copied.header().flags() & Header.RD).isEqualTo(Header.RD);

      // A response sent to the server is not answered (no reflection loops); the query after it is.
      var question = new Question(DnsName.parse("ns1.example.test"), RecordType.A, RecordClass.IN);
      Message response =
          new Message(new Header(7, Header.QR), List.of(question), List.of(), List.of(), List.of());
      client.write(ByteBuffer.wrap(DnsMessageWriter.write(response)));
      client.write(ByteBuffer.wrap(DnsMessageWriter.write(Message.query(8, question, false))));
      Message answer = receive(client);
      assertThat(answer.header().id()).isEqualTo(8);
      assertThat(answer.answers().getFirst().data().toText()).isEqualTo("127.0.0.1");
    }
  }

  /**
   * A question asked again is answered from the answers already written: each copy must still carry
   * its own query's id, its spelling of the name (letter case, which "0x20" clients check) in the
   * question and in the answers compressed against it, and its own RD.
   */
  @ParameterizedTest
  @ValueSource(strings = {"batched", "channel"})
  void repeatedQuestionsKeepTheirOwnIdSpellingAndFlags(String udp) throws Exception {
    try (var group = new EventLoopGroup(1, "dns-test", true);
        var server = startServer(group, udp);
        var client = clientOf(server)) {
      int id = 100;
      for (String spelling : List.of("ns1.example.test", "NS1.Example.TEST", "ns1.example.test")) {
        for (boolean rd : List.of(true, false)) {
          var question = new Question(DnsName.parse(spelling), RecordType.A, RecordClass.IN);
          client.write(ByteBuffer.wrap(DnsMessageWriter.write(Message.query(++id, question, rd))));
          Message answer = receive(client);
          assertThat(answer.header().id()).isEqualTo(id);
          assertThat(answer.header().recursionDesired()).isEqualTo(rd);
          assertThat(answer.questions().getFirst().name().toString()).isEqualTo(spelling + ".");
          assertThat(answer.answers().getFirst().name().toString()).isEqualTo(spelling + ".");
          assertThat(answer.answers().getFirst().data().toText()).isEqualTo("127.0.0.1");
        }
      }
    }
  }

  @Test
  void onLinuxUdpIsReadInBatchesAndElseThroughTheChannel() throws Exception {
    try (var group = new EventLoopGroup(1, "dns-test", true);
        var server = startServer(group)) {
      assertThat(server.isUdpBatched())
          .isEqualTo(System.getProperty("os.name").startsWith("Linux"));
    }
    try (var group = new EventLoopGroup(1, "dns-test", true);
        var server = startServer(group, "channel")) {
      assertThat(server.isUdpBatched()).isFalse();
    }
  }

  /**
   * Many queries at once from two sockets, more than one batch of recvmmsg holds, some asked before
   * and some not: each answer goes to the socket that asked, with its id and its name.
   */
  @ParameterizedTest
  @ValueSource(strings = {"batched", "channel"})
  void aBurstOfQueriesIsAnsweredEachToItsSenderWithItsIdAndName(String udp) throws Exception {
    try (var group = new EventLoopGroup(1, "dns-test", true);
        var server = startServer(group, udp);
        var first = clientOf(server);
        var second = clientOf(server)) {
      var spellings = List.of("ns1.example.test", "NS1.example.test", "nope.example.test");
      int queries = 3 * BatchedUdpLoop.BATCH;
      for (int id = 0; id < queries; id++) {
        var question =
            new Question(
                DnsName.parse(spellings.get(id % spellings.size())), RecordType.A, RecordClass.IN);
        var client = id % 2 == 0 ? first : second;
        client.write(ByteBuffer.wrap(DnsMessageWriter.write(Message.query(id, question, false))));
      }
      var seen = new java.util.BitSet();
      for (int i = 0; i < queries; i++) {
        var client = i % 2 == 0 ? first : second;
        Message answer = receive(client);
        int id = answer.header().id();
        assertThat(id % 2).isEqualTo(i % 2);
        assertThat(answer.questions().getFirst().name().toString())
            .isEqualTo(spellings.get(id % spellings.size()) + ".");
        assertThat(answer.rcode())
            .isEqualTo(id % spellings.size() == 2 ? Rcode.NXDOMAIN : Rcode.NOERROR);
        seen.set(id);
      }
      assertThat(seen.cardinality()).isEqualTo(queries);
    }
  }

  /**
   * Seeded random queries (names in any case, types, RD, EDNS with sizes, DO and cookies) asked
   * twice over UDP, the second time answered from RawAnswers, and once over TCP, which never uses
   * them: the three answers are the same octets but for the id.
   */
  @Test
  void answersFromRawAnswersAreTheParsedAnswersOctetForOctet() throws Exception {
    var random = new java.util.Random(15);
    var names =
        List.of("ns1.example.test", "NS1.EXAMPLE.test", "example.test", "nope.example.test");
    var types =
        List.of(RecordType.A, RecordType.NS, RecordType.SOA, RecordType.MX, RecordType.AAAA);
    try (var group = new EventLoopGroup(1, "dns-test", true);
        var server = startServer(group);
        var udp = clientOf(server);
        var tcp = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
      tcp.setSoTimeout(2000);
      var tcpOut = new java.io.DataOutputStream(tcp.getOutputStream());
      var tcpIn = new java.io.DataInputStream(tcp.getInputStream());
      for (int i = 0; i < 200; i++) {
        var question =
            new Question(
                DnsName.parse(names.get(random.nextInt(names.size()))),
                types.get(random.nextInt(types.size())),
                RecordClass.IN);
        var edns =
            random.nextBoolean()
                ? null
                : new Edns(
                    List.of(0, 512, 1232, 4096).get(random.nextInt(4)),
                    0,
                    0,
                    random.nextBoolean() ? Edns.DO : 0,
                    random.nextBoolean()
                        ? List.of()
                        : List.of(
                            new EdnsOption(EdnsOption.COOKIE, Octets.of(randomBytes(random, 8)))));
        boolean rd = random.nextBoolean();
        byte[][] answers = new byte[3][];
        for (int ask = 0; ask < 3; ask++) {
          int id = i * 3 + ask;
          Message query =
              edns == null
                  ? Message.query(id, question, rd)
                  : Message.query(id, question, rd, edns);
          byte[] bytes = DnsMessageWriter.write(query);
          if (ask < 2) {
            udp.write(ByteBuffer.wrap(bytes));
            answers[ask] = receiveBytes(udp);
          } else {
            tcpOut.writeShort(bytes.length);
            tcpOut.write(bytes);
            tcpOut.flush();
            answers[ask] = new byte[tcpIn.readUnsignedShort()];
            tcpIn.readFully(answers[ask]);
          }
          assertThat(((answers[ask][0] & 0xff) << 8) | (answers[ask][1] & 0xff)).isEqualTo(id);
          answers[ask][0] = 0;
          answers[ask][1] = 0;
        }
        assertThat(answers[1]).as("query %d, from RawAnswers", i).isEqualTo(answers[0]);
        assertThat(answers[2]).as("query %d, over TCP", i).isEqualTo(answers[0]);
      }
    }
  }

  private static byte[] randomBytes(java.util.Random random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  @ParameterizedTest
  @ValueSource(strings = {"batched", "channel"})
  void aUdpPortInUseIsSaidPlainly(String udp) throws Exception {
    try (var group = new EventLoopGroup(1, "dns-test", true);
        var taken =
            DatagramChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      var address = (InetSocketAddress) taken.getLocalAddress();
      assertThatThrownBy(() -> startServer(group, udp, address))
          .isInstanceOf(BindException.class)
          .hasMessage("address already in use: 127.0.0.1:" + address.getPort());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"batched", "channel"})
  void answersOverIpv6(String udp) throws Exception {
    var ipv6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
    try (var group = new EventLoopGroup(1, "dns-test", true);
        var server = startServer(group, udp, ipv6);
        var client = DatagramChannel.open()) {
      client.socket().setSoTimeout(2000);
      client.connect(new InetSocketAddress(ipv6.getAddress(), server.port()));
      var question = new Question(DnsName.parse("ns1.example.test"), RecordType.A, RecordClass.IN);
      for (int id = 1; id <= 2; id++) { // parsed, then from RawAnswers
        client.write(ByteBuffer.wrap(DnsMessageWriter.write(Message.query(id, question, false))));
        Message answer = receive(client);
        assertThat(answer.header().id()).isEqualTo(id);
        assertThat(answer.answers().getFirst().data().toText()).isEqualTo("127.0.0.1");
      }
    }
  }

  private static DnsServer startServer(EventLoopGroup group, String udp) throws Exception {
    return startServer(group, udp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  private static DnsServer startServer(EventLoopGroup group, String udp, InetSocketAddress address)
      throws Exception {
    String before = System.getProperty(DnsServer.UDP_PROPERTY);
    System.setProperty(DnsServer.UDP_PROPERTY, udp);
    try {
      var zone = Zone.of(ZoneFileParser.parse(Path.of("t.zone"), ZONE, null));
      return DnsServer.start(group, address, List.of(zone));
    } finally {
      if (before == null) {
        System.clearProperty(DnsServer.UDP_PROPERTY);
      } else {
        System.setProperty(DnsServer.UDP_PROPERTY, before);
      }
    }
  }

  private static DnsServer startServer(EventLoopGroup group) throws Exception {
    var zone = Zone.of(ZoneFileParser.parse(Path.of("t.zone"), ZONE, null));
    return DnsServer.start(
        group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(zone));
  }

  /** A UDP socket connected to the server that waits 2 s at most for each answer. */
  private static DatagramChannel clientOf(DnsServer server) throws Exception {
    var client = DatagramChannel.open();
    client.socket().setSoTimeout(2000);
    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    return client;
  }

  private static byte[] receiveBytes(DatagramChannel client) throws Exception {
    try {
      var packet = new java.net.DatagramPacket(new byte[2048], 2048);
      client.socket().receive(packet);
      return java.util.Arrays.copyOf(packet.getData(), packet.getLength());
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer within 2 s", e);
    }
  }

  private static Message receive(DatagramChannel client) throws Exception {
    ByteBuffer in = ByteBuffer.allocate(2048);
    try {
      var packet = new java.net.DatagramPacket(new byte[2048], 2048);
      client.socket().receive(packet);
      in.put(packet.getData(), 0, packet.getLength());
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer within 2 s", e);
    }
    return DnsMessageReader.read(in.flip());
  }
}
