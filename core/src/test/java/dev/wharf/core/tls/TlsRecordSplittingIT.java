package dev.wharf.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.Connection;
import dev.wharf.core.EchoProtocol;
import dev.wharf.core.Protocol;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Wharf client and a Wharf server on two embedded connections, with every byte between them
 * handed over in pieces of a chosen size: TLS records, handshake and data alike, arrive split at
 * every possible point, and must come out whole.
 */
class TlsRecordSplittingIT {
  @TempDir static Path dir;
  static TlsServerConfig serverConfig;
  static TlsClientConfig clientConfig;

  @BeforeAll
  static void certificates() throws Exception {
    var certs = TestCertificates.create(dir);
    serverConfig =
        TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey())).build();
    clientConfig = TlsClientConfig.builder().trust(TlsTrust.fromPem(certs.caCert())).build();
  }

  /** Collects what the client's application receives. */
  static final class Collecting implements Protocol {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    Connection connection;

    @Override
    public void opened(Connection c) {
      connection = c;
    }

    @Override
    public void received(Connection c, ByteBuffer data) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      received.writeBytes(bytes);
    }
  }

  /** Two embedded connections and the wire between them. */
  static final class Pair {
    final FakeClock clock = new FakeClock();
    final Collecting application = new Collecting();
    final EmbeddedConnection server =
        EmbeddedConnection.of(clock, TlsProtocol.server(serverConfig, new EchoProtocol()));
    final EmbeddedConnection client =
        EmbeddedConnection.of(
            clock, TlsProtocol.client(clientConfig, "localhost", 443, application));
    long wireBytes;

    /** Moves bytes both ways, {@code piece(n)} at a time, until neither side has more to say. */
    void pump(IntUnaryOperator piece) {
      for (int round = 0; round < 10_000; round++) {
        client.runPendingTasks();
        server.runPendingTasks();
        byte[] toServer = client.readOutbound();
        byte[] toClient = server.readOutbound();
        if (toServer.length == 0 && toClient.length == 0) {
          return;
        }
        deliver(toServer, server, piece);
        deliver(toClient, client, piece);
      }
      throw new AssertionError("the two sides kept talking");
    }

    private void deliver(byte[] bytes, EmbeddedConnection to, IntUnaryOperator piece) {
      wireBytes += bytes.length;
      int at = 0;
      while (at < bytes.length && to.isOpen()) {
        int n = Math.max(1, Math.min(piece.applyAsInt(bytes.length - at), bytes.length - at));
        to.writeInbound(ByteBuffer.wrap(Arrays.copyOfRange(bytes, at, at + n)));
        at += n;
      }
    }
  }

  @Test
  void handshakeCompletesWithTheWireSplitIntoPiecesOfEverySmallSize() {
    for (int size = 1; size <= 64; size++) {
      int fixed = size;
      var pair = new Pair();
      pair.pump(left -> fixed);
      assertThat(pair.application.connection).as("handshake with %d-byte pieces", size).isNotNull();
      assertThat(pair.client.isClosed()).isFalse();
      assertThat(pair.server.isClosed()).isFalse();
    }
  }

  @Test
  void dataSplitAtEveryOffsetNearItsRecordBoundariesComesOutWhole() {
    var pair = new Pair();
    pair.pump(left -> left);
    byte[] message = new byte[40_000]; // Three records: 16 KiB, 16 KiB and the rest.
    new Random(7).nextBytes(message);
    // The records of the same message always have the same sizes: find the cuts on one copy.
    pair.application.connection.write(message);
    pair.client.runPendingTasks();
    byte[] first = pair.client.readOutbound();
    pair.server.writeInbound(first);
    pair.pump(left -> left);
    pair.application.received.reset();
    var cuts = new java.util.ArrayList<Integer>();
    for (int cut = 1; cut < first.length; cut++) {
      // The middle of a record is all alike; a cut there every 50 bytes will do.
      if (nearRecordBoundary(first, cut) || cut % 50 == 0) {
        cuts.add(cut);
      }
    }
    assertThat(cuts).hasSizeGreaterThan(700);
    for (int cut : cuts) {
      pair.application.connection.write(message);
      pair.client.runPendingTasks();
      byte[] wire = pair.client.readOutbound();
      assertThat(wire).hasSameSizeAs(first);
      pair.server.writeInbound(ByteBuffer.wrap(wire, 0, cut).slice());
      pair.server.writeInbound(ByteBuffer.wrap(wire, cut, wire.length - cut).slice());
      pair.pump(left -> left);
      byte[] echoed = pair.application.received.toByteArray();
      assertThat(Arrays.equals(echoed, message))
          .as("split at %d: %d bytes came back", cut, echoed.length)
          .isTrue();
      pair.application.received.reset();
    }
  }

  /** Within 40 bytes of where a record (its 5-byte header, its body, its tag) begins or ends. */
  private static boolean nearRecordBoundary(byte[] wire, int offset) {
    int at = 0;
    while (at + 5 <= wire.length) {
      int end = at + 5 + ((wire[at + 3] & 0xff) << 8 | (wire[at + 4] & 0xff));
      if (Math.abs(offset - at) <= 40 || Math.abs(offset - end) <= 40) {
        return true;
      }
      at = end;
    }
    return false;
  }

  @Test
  void randomPieceSizesBothWaysCarryABulkTransferIntact() {
    var random = new Random(42);
    var pair = new Pair();
    pair.pump(left -> 1 + random.nextInt(300));
    byte[] message = new byte[1 << 20];
    random.nextBytes(message);
    for (int at = 0; at < message.length; ) {
      int n = Math.min(message.length - at, 1 + random.nextInt(40_000));
      pair.application.connection.write(ByteBuffer.wrap(message, at, n));
      at += n;
      pair.pump(left -> 1 + random.nextInt(20_000));
    }
    assertThat(Arrays.equals(pair.application.received.toByteArray(), message)).isTrue();
  }
}
