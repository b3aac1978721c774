package dev.wharf.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.dns.codec.DnsMessageReader;
import dev.wharf.dns.codec.DnsMessageWriter;
import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Octets;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.RData;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The resolver against a server this test plays itself on a loopback socket: answers from the wrong
 * port, with the wrong id, for the wrong question, or malformed are dropped and the real answer
 * taken; silence costs each try its timeout, and each try comes from a new port with a new id.
 */
@Timeout(30)
class StrayAnswerIT {
  private EventLoopGroup group;
  private DatagramChannel server;
  private DatagramChannel stranger;

  @BeforeEach
  void open() throws Exception {
    group = new EventLoopGroup(1, "dns-test", true);
    server =
        DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    stranger =
        DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void close() throws Exception {
    server.close();
    stranger.close();
    group.close();
  }

  private DnsResolver resolver(Duration timeout, int attempts) {
    return DnsResolver.builder(group)
        .servers(List.of((InetSocketAddress) serverAddress()))
        .timeout(timeout)
        .attempts(attempts)
        .build();
  }

  private SocketAddress serverAddress() {
    try {
      return server.getLocalAddress();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Message answer(Message query, int id, String name, String address) {
    Question asked = query.questions().getFirst();
    Question question = new Question(DnsName.parse(name), asked.type(), asked.dnsClass());
    byte[] bytes = InetAddress.ofLiteral(address).getAddress();
    return new Message(
        new Header(id, Header.QR | Header.AA | Header.RD),
        List.of(question),
        List.of(
            new ResourceRecord(
                question.name(), RecordType.A, RecordClass.IN, 60, new RData.A(Octets.of(bytes)))),
        List.of(),
        List.of());
  }

  private static void send(DatagramChannel from, Message message, SocketAddress to)
      throws Exception {
    from.send(ByteBuffer.wrap(DnsMessageWriter.write(message)), to);
  }

  @Test
  void strayAndSpoofedDatagramsAreDroppedAndTheRealAnswerTaken() throws Exception {
    var question = new Question(DnsName.parse("www.example.test"), RecordType.A, RecordClass.IN);
    var pending = resolver(Duration.ofSeconds(5), 1).query(DnsQuery.of(question));
    ByteBuffer in = ByteBuffer.allocate(512);
    SocketAddress client = server.receive(in);
    Message query = DnsMessageReader.read(in.flip());
    int id = query.header().id();
    // From the right address but the wrong port: an off-path spoofer's best guess.
    send(stranger, answer(query, id, "www.example.test", "192.0.2.66"), client);
    // From the server, with the wrong id.
    send(server, answer(query, (id + 1) & 0xffff, "www.example.test", "192.0.2.67"), client);
    // From the server, for another name.
    send(server, answer(query, id, "evil.example.test", "192.0.2.68"), client);
    // From the server, octets that are no DNS message.
    server.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), client);
    // The answer, its name in other letters (names compare ignoring case).
    send(server, answer(query, id, "WWW.EXAMPLE.TEST", "192.0.2.1"), client);

    DnsResponse response = pending.get(10, TimeUnit.SECONDS);
    assertThat(response.message().answers()).hasSize(1);
    assertThat(response.message().answers().getFirst().data().toText()).isEqualTo("192.0.2.1");
  }

  @Test
  void eachTryComesFromAFreshPortWithAFreshIdAndSilenceEndsInNoAnswer() throws Exception {
    var question = new Question(DnsName.parse("quiet.example.test"), RecordType.A, RecordClass.IN);
    long start = System.nanoTime();
    var pending = resolver(Duration.ofMillis(300), 3).query(DnsQuery.of(question));
    var ports = new HashSet<Integer>();
    var ids = new ArrayList<Integer>();
    server.configureBlocking(true);
    for (int i = 0; i < 3; i++) {
      ByteBuffer in = ByteBuffer.allocate(512);
      InetSocketAddress client = (InetSocketAddress) server.receive(in);
      ports.add(client.getPort());
      ids.add(DnsMessageReader.read(in.flip()).header().id());
    }
    Throwable failure = catchThrowable(() -> pending.get(10, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause())
        .isInstanceOf(NoAnswerException.class)
        .hasMessageContaining("no servers could be reached (3 tries)");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(ports).hasSize(3);
    assertThat(ids).hasSize(3);
  }
}
