package dev.wharf.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.Client;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.EchoProtocol;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.PausedWriter;
import dev.wharf.core.Protocol;
import dev.wharf.core.RecordingProtocol;
import dev.wharf.core.Server;
import dev.wharf.core.testing.CapturedLog;
import dev.wharf.testkit.Await;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS over the real transports, Wharf on both ends: bulk transfers both ways over TCP and Unix
 * sockets, files, writes from other threads, closing, and a certificate renewed under a live
 * connection.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsTransportIT extends TlsFixture {
  private static final int BULK = 16 << 20;

  @TempDir Path scratch;

  private final EventLoopGroup serverGroup = group("tls-server");
  private final EventLoopGroup clientGroup = group("tls-client");

  private SocketAddress serve(SocketAddress address, Supplier<Protocol> protocols)
      throws Exception {
    return serve(
        address,
        TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey())).build(),
        protocols);
  }

  private SocketAddress serve(
      SocketAddress address, TlsServerConfig config, Supplier<Protocol> protocols)
      throws Exception {
    Server server =
        Server.builder(serverGroup).layer(TlsProtocol.serverLayer(config)).bind(address, protocols);
    return closedAfter(server).localAddress();
  }

  private Connection connect(SocketAddress address, Protocol protocol) throws Exception {
    return Client.builder(clientGroup)
        .layer(
            TlsProtocol.clientLayer(
                TlsClientConfig.builder().trust(TlsTrust.fromPem(certs.caCert())).build()))
        .build()
        .connect(address, protocol)
        .get(15, TimeUnit.SECONDS);
  }

  private static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  /**
   * Sends {@code total} pseudo-random bytes as fast as the connection takes them, then shuts its
   * output (close_notify and FIN); digests what comes back until the peer closes.
   */
  static final class BulkSender implements Protocol {
    final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    final MessageDigest sentDigest = sha256();
    final MessageDigest receivedDigest = sha256();
    final Random random = new Random(2024);
    final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    final long total;
    long sent;
    long received;

    BulkSender(long total) {
      this.total = total;
    }

    @Override
    public void opened(Connection connection) {
      send(connection);
    }

    private void send(Connection connection) {
      while (sent < total && connection.isWritable()) {
        int n = (int) Math.min(chunk.capacity(), total - sent);
        random.nextBytes(chunk.array());
        chunk.clear().limit(n);
        sentDigest.update(chunk.array(), 0, n);
        connection.write(chunk);
        sent += n;
      }
      if (sent == total) {
        connection.shutdownOutput();
      }
    }

    @Override
    public void writabilityChanged(Connection connection, boolean writable) {
      if (writable && sent < total) {
        send(connection);
      }
    }

    @Override
    public void received(Connection connection, ByteBuffer data) {
      received += data.remaining();
      receivedDigest.update(data);
    }

    @Override
    public void closed(Connection connection, CloseReason reason) {
      closed.complete(reason);
    }
  }

  private void bulkEchoBothWays(SocketAddress listen) throws Exception {
    SocketAddress address = serve(listen, EchoProtocol::new);
    var sender = new BulkSender(BULK);

    connect(address, sender);
    CloseReason reason = sender.closed.get(60, TimeUnit.SECONDS);

    assertThat(reason.isFailure()).as("closed with %s", reason).isFalse();
    assertThat(sender.received).isEqualTo(BULK);
    assertThat(sender.receivedDigest.digest()).isEqualTo(sender.sentDigest.digest());
  }

  @Test
  void sixteenMebibytesEchoIntactOverTcp() throws Exception {
    bulkEchoBothWays(loopback());
  }

  @Test
  void sixteenMebibytesEchoIntactOverAUnixSocket() throws Exception {
    bulkEchoBothWays(UnixDomainSocketAddress.of(scratch.resolve("tls.sock")));
  }

  @Test
  void aFileIsReadAndEncryptedInOrderWithTheWritesAroundIt() throws Exception {
    byte[] content = new byte[5 * 1024 * 1024 + 123];
    new Random(5).nextBytes(content);
    Path file = scratch.resolve("content.bin");
    Files.write(file, content);
    SocketAddress address =
        serve(
            loopback(),
            () ->
                new Protocol() {
                  @Override
                  public void opened(Connection connection) {
                    try {
                      connection.write("head:".getBytes(StandardCharsets.US_ASCII));
                      connection.writeFile(FileChannel.open(file), 100, content.length - 100);
                      connection.write(":tail".getBytes(StandardCharsets.US_ASCII));
                      connection.closeAfterFlush();
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }

                  @Override
                  public void received(Connection connection, ByteBuffer data) {
                    data.position(data.limit());
                  }
                });
    var collecting = new RecordingProtocol();

    connect(address, collecting);
    collecting.closed.get(30, TimeUnit.SECONDS);

    byte[] expected =
        ByteBuffer.allocate(5 + content.length - 100 + 5)
            .put("head:".getBytes(StandardCharsets.US_ASCII))
            .put(content, 100, content.length - 100)
            .put(":tail".getBytes(StandardCharsets.US_ASCII))
            .array();
    assertThat(collecting.inputClosed).as("the server's close_notify arrived").isDone();
    assertThat(
            MessageDigest.isEqual(
                sha256().digest(collecting.receivedBytes()), sha256().digest(expected)))
        .as("%d bytes received, %d expected", collecting.receivedBytes().length, expected.length)
        .isTrue();
  }

  @Test
  void smallWritesFromAnotherThreadArriveInOrderAndShareRecords() throws Exception {
    SocketAddress address = serve(loopback(), EchoProtocol::new);
    var collecting = new RecordingProtocol();
    Connection connection = connect(address, collecting);
    var expected = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      expected.append("line ").append(i).append('\n');
    }

    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    connection.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                  }
                  connection.shutdownOutput();
                });
    writer.join(Duration.ofSeconds(30));
    collecting.closed.get(30, TimeUnit.SECONDS);

    assertThat(new String(collecting.receivedBytes(), StandardCharsets.US_ASCII))
        .isEqualTo(expected.toString());
    // One record per write would add 22 bytes to each of the 20 000 writes: ~440 KB.
    long plaintext = expected.length();
    assertThat(connection.info().bytesOut()).isLessThan(plaintext + 100_000);
  }

  @Test
  void aWriterOnAnotherThreadIsPausedAtTheHighWatermarkWhileTheLoopIsBusy() throws Exception {
    var serverSaw = new RecordingProtocol();
    SocketAddress address = serve(loopback(), () -> serverSaw);
    Object writableAgain = new Object();
    Connection connection =
        connect(
            address,
            new Protocol() {
              @Override
              public void received(Connection c, ByteBuffer data) {
                data.position(data.limit());
              }

              @Override
              public void writabilityChanged(Connection c, boolean writable) {
                synchronized (writableAgain) {
                  writableAgain.notifyAll();
                }
              }
            });
    int chunk = 64 * 1024;
    byte[] payload = new byte[4 << 20];
    new Random(12).nextBytes(payload);
    var progress = new PausedWriter();
    var loopBusy = new CountDownLatch(1);
    var releaseLoop = new CountDownLatch(1);
    connection.execute(
        () -> {
          loopBusy.countDown();
          awaitQuietly(releaseLoop);
        });
    assertThat(loopBusy.await(10, TimeUnit.SECONDS)).isTrue();
    // As a handler streams a body from its virtual thread: wait while the view is unwritable.
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  for (int at = 0; at < payload.length; at += chunk) {
                    synchronized (writableAgain) {
                      while (!connection.isWritable() && connection.isOpen()) {
                        progress.paused.countDown();
                        try {
                          writableAgain.wait();
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    }
                    connection.write(ByteBuffer.wrap(payload, at, chunk));
                    progress.wrote(connection, chunk);
                  }
                  connection.shutdownOutput();
                });
    try {
      progress.assertStoppedAtHighWatermark(payload.length, chunk);
    } finally {
      releaseLoop.countDown();
    }
    // The loop goes on: the writer is woken as the peer reads, and everything arrives in order.
    writer.join(Duration.ofSeconds(30));
    serverSaw.inputClosed.get(30, TimeUnit.SECONDS);
    assertThat(serverSaw.receivedBytes()).isEqualTo(payload);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aRenewedCertificateIsUsedByNewHandshakesWhileOpenConnectionsCarryOn() throws Exception {
    Path live = Files.createDirectories(scratch.resolve("live"));
    Files.copy(certs.serverCert(), live.resolve("cert.pem"));
    Files.copy(certs.serverKey(), live.resolve("key.pem"));
    TlsIdentity identity = TlsIdentity.fromPem(live.resolve("cert.pem"), live.resolve("key.pem"));
    SocketAddress address =
        serve(loopback(), TlsServerConfig.builder(identity).build(), EchoProtocol::new);
    var first = new RecordingProtocol();
    Connection old = connect(address, first);
    BigInteger oldSerial = serial(old);

    // Renew: a new key and certificate for the same names, moved into place as deployments do.
    certs.openssl(
        "req",
        "-new",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-keyout",
        "renewed.key",
        "-out",
        "renewed.csr");
    certs.openssl(
        "x509",
        "-req",
        "-in",
        "renewed.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "4242",
        "-days",
        "30",
        "-extfile",
        "localhost.ext",
        "-out",
        "renewed.pem");
    Files.copy(dir.resolve("renewed.key"), live.resolve("key.pem.new"));
    Files.copy(dir.resolve("renewed.pem"), live.resolve("cert.pem.new"));
    Files.move(
        live.resolve("key.pem.new"), live.resolve("key.pem"), StandardCopyOption.ATOMIC_MOVE);
    Files.move(
        live.resolve("cert.pem.new"), live.resolve("cert.pem"), StandardCopyOption.ATOMIC_MOVE);

    var newSerial = new AtomicReference<>(oldSerial);
    try (var log = CapturedLog.expect(TlsIdentity.class, Level.INFO)) {
      // 100 ms between probes: the reload check runs at most every 2 s. The assertion below says
      // what came if no new certificate did.
      Await.within(
          Duration.ofSeconds(20),
          Duration.ofMillis(100),
          () -> {
            Connection probe = connect(address, new RecordingProtocol());
            newSerial.set(serial(probe));
            probe.close();
            return !newSerial.get().equals(oldSerial);
          });
      assertThat(log.await(Duration.ofSeconds(5)).getMessage())
          .startsWith("reloaded TLS certificate");
    }

    assertThat(newSerial.get()).isEqualTo(BigInteger.valueOf(4242));
    assertThat(identity.certificate().getSerialNumber()).isEqualTo(BigInteger.valueOf(4242));
    old.write("still here".getBytes(StandardCharsets.US_ASCII));
    Await.until(
        "the old connection's echo",
        () -> new String(first.receivedBytes(), StandardCharsets.US_ASCII).equals("still here"));
    assertThat(serial(old)).isEqualTo(oldSerial);
  }

  private static BigInteger serial(Connection connection) {
    return TlsSession.of(connection)
        .orElseThrow()
        .peerCertificate()
        .orElseThrow()
        .getSerialNumber();
  }

  @Test
  void shuttingOutputDownSendsCloseNotifyAndBothSidesEndInOrder() throws Exception {
    var serverSaw = new RecordingProtocol();
    SocketAddress address = serve(loopback(), () -> serverSaw);
    var client = new RecordingProtocol();
    Connection connection = connect(address, client);

    // Half-close: close_notify and FIN, then wait for the server's (a full close right away could
    // meet a session ticket still unread, and the kernel would answer it with a reset).
    connection.write("bye".getBytes(StandardCharsets.US_ASCII));
    connection.shutdownOutput();

    CloseReason serverReason = serverSaw.closed.get(15, TimeUnit.SECONDS);
    assertThat(serverSaw.inputClosed).as("the server read our close_notify").isDone();
    assertThat(new String(serverSaw.receivedBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye");
    assertThat(serverReason).as("%s", serverReason).isEqualTo(CloseReason.PEER);
    CloseReason clientReason = client.closed.get(15, TimeUnit.SECONDS);
    assertThat(client.inputClosed).as("we read the server's close_notify").isDone();
    assertThat(clientReason.isFailure()).as("%s", clientReason).isFalse();
  }

  /**
   * A client that starts with a letter (plain text, an http:// URL sent to a TLS port) is handed to
   * the plain-text protocol with what it sent; a TLS client on the same port still gets TLS, and
   * bytes that are neither (here a zero) still fail the handshake, closing the connection.
   */
  @Test
  void aClientSpeakingPlainTextIsHandedToThePlainTextProtocol() throws Exception {
    TlsServerConfig config =
        TlsServerConfig.builder(TlsIdentity.fromPem(certs.serverCert(), certs.serverKey())).build();
    Protocol plain =
        (connection, data) -> {
          connection.write(("plain: " + StandardCharsets.US_ASCII.decode(data)).getBytes());
          connection.closeAfterFlush();
        };
    Server server =
        Server.builder(serverGroup)
            .layer(TlsProtocol.serverLayer(config, () -> plain))
            .bind(loopback(), EchoProtocol::new);
    SocketAddress address = closedAfter(server).localAddress();

    try (var socket = new java.net.Socket()) {
      socket.connect(address, 5_000);
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
          .isEqualTo("plain: GET / HTTP/1.0\r\n\r\n");
    }

    var client = new RecordingProtocol();
    Connection tls = connect(address, client);
    tls.write("echo me".getBytes(StandardCharsets.US_ASCII));
    Await.until(
        "the TLS client's echo",
        Duration.ofSeconds(15),
        () -> new String(client.receivedBytes(), StandardCharsets.US_ASCII).equals("echo me"));
    tls.close();

    try (var socket = new java.net.Socket()) {
      socket.connect(address, 5_000);
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
      byte[] answer = socket.getInputStream().readAllBytes();
      // 21: an alert record's content type (the engine may also close without one).
      assertThat(answer.length == 0 || answer[0] == 21)
          .as("a TLS alert or nothing, then the close: %s", java.util.Arrays.toString(answer))
          .isTrue();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
