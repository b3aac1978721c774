package dev.wharf.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Transport;
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
import dev.wharf.testkit.Await;
import dev.wharf.testkit.DnsTestZones;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.NsdServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolver's TCP connections (RFC 7766 §6.2): kept per server and shared by concurrent queries
 * (against NSD, counted with ss), pipelined and matched by id when the server answers out of order,
 * and asked again on a new connection when a kept one was closed by the server while idle (the last
 * two against a server scripted here, which reads and answers exactly as each test says).
 */
@Timeout(60)
class TcpSessionIT {
  @TempDir Path dir;
  private EventLoopGroup group;

  @BeforeEach
  void start() {
    group = new EventLoopGroup(1, "dns-test", true);
  }

  @AfterEach
  void stop() {
    group.close();
  }

  private DnsResolver resolver(int port) {
    return DnsResolver.builder(group)
        .servers(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
        .timeout(Duration.ofSeconds(5))
        .attempts(1)
        .build();
  }

  private static DnsQuery tcpQuery(String name) {
    return DnsQuery.of(new Question(DnsName.parse(name), RecordType.A, RecordClass.IN))
        .withTcp(true);
  }

  @Test
  void concurrentQueriesShareOneConnectionToNsdUntilClosed() throws Exception {
    try (NsdServer nsd = NsdServer.start(dir, DnsTestZones.all())) {
      DnsResolver resolver = resolver(nsd.port());
      var answers = new ArrayList<CompletableFuture<DnsResponse>>();
      for (int i = 0; i < 40; i++) {
        answers.add(
            resolver.query(tcpQuery(i % 2 == 0 ? "www.example.test" : "mail.example.test")));
      }
      for (int i = 0; i < answers.size(); i++) {
        DnsResponse response = answers.get(i).get(20, TimeUnit.SECONDS);
        assertThat(response.transport()).isEqualTo(Transport.TCP);
        assertThat(response.message().answers().stream().map(r -> r.data().toText()))
            .as("answer %d", i)
            .containsExactlyInAnyOrderElementsOf(
                i % 2 == 0 ? List.of("192.0.2.1", "192.0.2.2") : List.of("192.0.2.25"));
      }
      assertThat(connectionsTo(nsd.port())).as("client sockets to NSD").isEqualTo(1);
      resolver.close();
      Await.within(Duration.ofSeconds(10), () -> connectionsTo(nsd.port()) == 0);
    }
  }

  /** Established TCP sockets whose remote port is {@code port}: ours, as ss sees them. */
  private static int connectionsTo(int port) {
    try {
      ExternalProcess.Result ss =
          ExternalProcess.run(
              Duration.ofSeconds(10),
              List.of("ss", "-Htn", "state", "established", "( dport = :" + port + " )"));
      return (int) ss.out().lines().filter(line -> !line.isBlank()).count();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void pipelinedQueriesAreMatchedByIdWhenAnsweredOutOfOrder() throws Exception {
    try (var server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        DnsResolver resolver = resolver(server.getLocalPort())) {
      var accepted = new AtomicInteger();
      Thread.ofVirtual()
          .start(
              () -> {
                try (Socket socket = server.accept()) {
                  accepted.incrementAndGet();
                  var in = new DataInputStream(socket.getInputStream());
                  var out = new DataOutputStream(socket.getOutputStream());
                  // All three queries come before any answer: they were pipelined.
                  var queries = new ArrayList<Message>();
                  for (int i = 0; i < 3; i++) {
                    queries.add(readFrame(in));
                  }
                  for (Message query : queries.reversed()) {
                    writeFrame(out, answer(query, addressFor(query)));
                  }
                  in.read(); // keep the connection until the client closes it
                } catch (IOException e) {
                  // the test's assertions say what went wrong
                }
              });
      List<String> names = List.of("one.test", "two.test", "three.test");
      var answers = new ArrayList<CompletableFuture<DnsResponse>>();
      for (String name : names) {
        answers.add(resolver.query(tcpQuery(name)));
      }
      for (int i = 0; i < names.size(); i++) {
        DnsResponse response = answers.get(i).get(20, TimeUnit.SECONDS);
        assertThat(response.message().answers().getFirst().name().toString())
            .isEqualTo(names.get(i) + ".");
        assertThat(response.message().answers().getFirst().data().toText())
            .isEqualTo("192.0.2." + names.get(i).length());
      }
      assertThat(accepted).hasValue(1);
    }
  }

  @Test
  void aKeptConnectionTheServerClosedIsReplacedWithoutFailingTheQuery() throws Exception {
    try (var server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        DnsResolver resolver = resolver(server.getLocalPort())) {
      var accepted = new AtomicInteger();
      Thread.ofVirtual()
          .start(
              () -> {
                // Each connection gets one answer, then the server closes it, as a server whose
                // idle timeout has passed does; the next connection is answered the same way.
                for (int c = 0; c < 2; c++) {
                  try (Socket socket = server.accept()) {
                    accepted.incrementAndGet();
                    var in = new DataInputStream(socket.getInputStream());
                    var out = new DataOutputStream(socket.getOutputStream());
                    Message query = readFrame(in);
                    writeFrame(out, answer(query, addressFor(query)));
                    if (c == 0) {
                      // Close only once the client holds the kept connection idle; its next
                      // query then finds it closed.
                      in.read();
                    }
                  } catch (IOException e) {
                    // counted by accepted
                  }
                }
              });
      assertThat(
              resolver.query(tcpQuery("first.test")).get(20, TimeUnit.SECONDS).message().answers())
          .hasSize(1);
      // The second query goes out on the kept connection; the server, waiting in read, takes it as
      // the signal to close without answering. The resolver asks again on a new connection.
      DnsResponse second = resolver.query(tcpQuery("second.test")).get(20, TimeUnit.SECONDS);
      assertThat(second.message().answers().getFirst().data().toText()).isEqualTo("192.0.2.11");
      assertThat(accepted).hasValue(2);
    }
  }

  private static String addressFor(Message query) {
    return "192.0.2." + (query.questions().getFirst().name().toString().length() - 1);
  }

  private static Message answer(Message query, String address) {
    Question question = query.questions().getFirst();
    var record =
        new ResourceRecord(
            question.name(),
            RecordType.A,
            RecordClass.IN,
            60,
            new RData.A(Octets.of(InetAddress.ofLiteral(address).getAddress())));
    return new Message(
        new Header(query.header().id(), Header.QR | Header.AA),
        query.questions(),
        List.of(record),
        List.of(),
        List.of());
  }

  private static Message readFrame(DataInputStream in) throws IOException {
    byte[] frame = new byte[in.readUnsignedShort()];
    in.readFully(frame);
    try {
      return DnsMessageReader.read(frame);
    } catch (dev.wharf.dns.codec.DnsFormatException e) {
      throw new IOException(e);
    }
  }

  private static void writeFrame(DataOutputStream out, Message message) throws IOException {
    byte[] bytes = DnsMessageWriter.write(message);
    out.writeShort(bytes.length);
    out.write(bytes);
    out.flush();
  }
}
