package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.testing.CapturedLog;
import dev.wharf.testkit.Await;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every stream transport (TCP, Unix-domain) must do, run over real sockets. Subclasses say
 * where to listen and how to open a plain blocking socket to the server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class StreamTransportContract {
  private final long descriptorsBefore = OpenDescriptors.sockets();
  protected final EventLoopGroup serverGroup = new EventLoopGroup(2, "server", true);
  protected final EventLoopGroup clientGroup = new EventLoopGroup(1, "client", true);

  /** A fresh address to listen on (port 0, or a new socket path). */
  abstract SocketAddress listenAddress() throws IOException;

  /** A blocking socket to the server, as a peer that is not Wharf. */
  abstract SocketChannel openBlocking(SocketAddress serverAddress) throws IOException;

  @AfterEach
  void shutDown() {
    serverGroup.shutdownGracefully(Duration.ofSeconds(2)).join();
    clientGroup.shutdownGracefully(Duration.ofSeconds(2)).join();
    for (var group : new EventLoopGroup[] {serverGroup, clientGroup}) {
      for (EventLoop loop : group.loops()) {
        assertThat(loop.terminationFuture()).as("loop thread ended").isDone();
      }
    }
    try {
      Await.until(
          "every socket closed",
          Duration.ofSeconds(3),
          () -> OpenDescriptors.sockets() == descriptorsBefore);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + ": before " + descriptorsBefore + ", now " + OpenDescriptors.list());
    }
  }

  Server echoServer(Timeouts timeouts) throws IOException {
    return Server.builder(serverGroup)
        .timeouts(timeouts)
        .name("echo")
        .bind(listenAddress(), EchoProtocol::new);
  }

  /** A server whose connections run {@code onOpen} and leave what they read unread. */
  Server serverThatOnOpen(Consumer<Connection> onOpen) throws IOException {
    return Server.builder(serverGroup).bind(listenAddress(), () -> new OnOpen(onOpen));
  }

  /** Runs a task when its connection opens; reads nothing (the peer's bytes stay unread). */
  private record OnOpen(Consumer<Connection> task) implements Protocol {
    @Override
    public void opened(Connection c) {
      task.accept(c);
    }

    @Override
    public void received(Connection c, ByteBuffer data) {}
  }

  Connection connect(Server server, Protocol protocol) throws Exception {
    return Client.builder(clientGroup)
        .timeouts(Timeouts.INTERACTIVE)
        .build()
        .connect(server.localAddress(), protocol)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void echoesBytesBack() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    var client = new RecordingProtocol();
    Connection connection = connect(server, client);

    connection.write("hello, wharf".getBytes(StandardCharsets.US_ASCII));

    Await.until("echo", () -> client.receivedCount() == 12);
    assertThat(new String(client.receivedBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("hello, wharf");
    assertThat(connection.info().bytesOut()).isEqualTo(12);
  }

  @Test
  void halfCloseLetsThePeerFinishItsAnswer() throws Exception {
    // The server counts what it reads and answers the count once we half-close.
    var server =
        Server.builder(serverGroup)
            .bind(
                listenAddress(),
                () ->
                    new Protocol() {
                      long count;

                      @Override
                      public void received(Connection c, ByteBuffer data) {
                        count += data.remaining();
                        data.position(data.limit());
                      }

                      @Override
                      public void inputClosed(Connection c) {
                        c.write(("read " + count).getBytes(StandardCharsets.US_ASCII));
                        c.closeAfterFlush();
                      }
                    });
    var client = new RecordingProtocol();
    Connection connection = connect(server, client);

    connection.write(new byte[100_000]);
    connection.shutdownOutput();

    CloseReason reason = client.closed.get(10, TimeUnit.SECONDS);
    assertThat(new String(client.receivedBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("read 100000");
    assertThat(reason.kind()).isEqualTo(CloseReason.Kind.PEER);
    assertThat(connection.info().closedFirst()).isEqualTo(ConnectionInfo.ClosedFirst.LOCAL);
  }

  @Test
  void aThrowingHandlerClosesOnlyItsOwnConnection() throws Exception {
    var server =
        Server.builder(serverGroup)
            .bind(
                listenAddress(),
                () ->
                    new Protocol() {
                      @Override
                      public void received(Connection c, ByteBuffer data) {
                        if (data.get(data.position()) == '!') {
                          throw new IllegalStateException("handler bug");
                        }
                        c.write(data);
                      }
                    });
    var victim = new RecordingProtocol();
    var bystander = new RecordingProtocol();
    Connection bad = connect(server, victim);
    Connection good = connect(server, bystander);

    try (var log =
        CapturedLog.expect(StreamConnection.class, Level.WARNING, IllegalStateException.class)) {
      bad.write("!boom".getBytes(StandardCharsets.US_ASCII));
      assertThat(victim.closed.get(10, TimeUnit.SECONDS).kind()).isEqualTo(CloseReason.Kind.PEER);
      assertThat(log.await(Duration.ofSeconds(10)).getThrown()).hasMessage("handler bug");
    }

    good.write("still here".getBytes(StandardCharsets.US_ASCII));
    Await.until("bystander echo", () -> bystander.receivedCount() == 10);
    assertThat(good.isOpen()).isTrue();
    // And the loop that ran the failing handler still accepts and serves.
    var later = new RecordingProtocol();
    connect(server, later).write("again".getBytes(StandardCharsets.US_ASCII));
    Await.until("echo after failure", () -> later.receivedCount() == 5);
  }

  @Test
  void idleTimeoutClosesASilentConnection() throws Exception {
    var serverSide = new CompletableFuture<CloseReason>();
    var server =
        Server.builder(serverGroup)
            .timeouts(Timeouts.DEFAULTS.withIdle(Duration.ofMillis(200)))
            .bind(listenAddress(), () -> closeRecorder(serverSide));
    var client = new RecordingProtocol();
    connect(server, client);

    CloseReason reason = serverSide.get(10, TimeUnit.SECONDS);
    assertThat(reason.kind()).isEqualTo(CloseReason.Kind.TIMEOUT);
    assertThat(reason.message()).startsWith("idle timeout");
    assertThat(client.closed.get(10, TimeUnit.SECONDS).kind()).isEqualTo(CloseReason.Kind.PEER);
  }

  @Test
  void aProtocolCanTurnTheIdleTimeoutOffForItsConnection() throws Exception {
    var quietKept = new CompletableFuture<CloseReason>();
    var quietDropped = new CompletableFuture<CloseReason>();
    var server =
        Server.builder(serverGroup)
            .timeouts(Timeouts.DEFAULTS.withIdle(Duration.ofMillis(200)))
            .bind(
                listenAddress(),
                () ->
                    new Protocol() {
                      private boolean keep;

                      @Override
                      public void opened(Connection c) {}

                      @Override
                      public void received(Connection c, ByteBuffer data) {
                        // The first byte says whether this connection watches itself ('k').
                        keep = data.get() == 'k';
                        if (keep) {
                          c.idleTimeout(Duration.ZERO);
                        }
                        data.position(data.limit());
                      }

                      @Override
                      public void closed(Connection c, CloseReason reason) {
                        (keep ? quietKept : quietDropped).complete(reason);
                      }
                    });
    var kept = new RecordingProtocol();
    connect(server, kept).write(new byte[] {'k'});
    connect(server, new RecordingProtocol()).write(new byte[] {'d'});

    // The other connection, as silent and sent its byte later, times out; this one does not.
    assertThat(quietDropped.get(10, TimeUnit.SECONDS).message()).startsWith("idle timeout");
    assertThat(quietKept).isNotDone();
    assertThat(kept.closed).isNotDone();
  }

  @Test
  void wakeUpAtCallsTheProtocolOnceAtTheDeadlineAndCanBeMovedOrCancelled() throws Exception {
    var wakeUps = new java.util.concurrent.LinkedBlockingQueue<Long>();
    var server =
        Server.builder(serverGroup)
            .bind(
                listenAddress(),
                () ->
                    new Protocol() {
                      private long asked;

                      @Override
                      public void opened(Connection c) {
                        // Asked, replaced by a later deadline, then a cancelled third one.
                        c.wakeUpAt(c.nanoTime() + Duration.ofMillis(20).toNanos());
                        asked = c.nanoTime() + Duration.ofMillis(150).toNanos();
                        c.wakeUpAt(asked);
                      }

                      @Override
                      public void received(Connection c, ByteBuffer data) {
                        data.position(data.limit());
                        c.wakeUpAt(c.nanoTime() + Duration.ofMillis(50).toNanos());
                        c.wakeUpAt(Long.MAX_VALUE);
                        c.write(ByteBuffer.wrap(new byte[] {'x'}));
                      }

                      @Override
                      public void wakeUp(Connection c) {
                        wakeUps.add(c.nanoTime() - asked);
                        c.write(ByteBuffer.wrap(new byte[] {'w'}));
                      }
                    });
    var client = new RecordingProtocol();
    connect(server, client);

    Long late = wakeUps.poll(10, TimeUnit.SECONDS);
    assertThat(late).as("woken at the replaced deadline, not before").isNotNull().isNotNegative();
    Await.until("the wake-up's byte", () -> client.receivedCount() == 1);
    // A cancelled deadline never comes: the echo of our byte is all that follows.
    client.opened.get(10, TimeUnit.SECONDS).write(new byte[] {1});
    Await.until("the answer", () -> client.receivedCount() == 2);
    assertThat(new String(client.receivedBytes(), StandardCharsets.US_ASCII)).isEqualTo("wx");
    assertThat(wakeUps.poll(300, TimeUnit.MILLISECONDS)).as("no wake-up after cancel").isNull();
  }

  @Test
  void readTimeoutClosesWhenThePeerStopsSending() throws Exception {
    var serverSide = new CompletableFuture<CloseReason>();
    var server =
        Server.builder(serverGroup)
            .timeouts(Timeouts.DEFAULTS.withRead(Duration.ofMillis(300)))
            .bind(listenAddress(), () -> closeRecorder(serverSide));
    connect(server, new RecordingProtocol()).write(new byte[] {1});

    CloseReason reason = serverSide.get(10, TimeUnit.SECONDS);
    assertThat(reason.kind()).isEqualTo(CloseReason.Kind.TIMEOUT);
    assertThat(reason.message()).startsWith("read timeout");
  }

  @Test
  void writeStallTimeoutClosesWhenThePeerStopsReading() throws Exception {
    var serverSide = new CompletableFuture<CloseReason>();
    var server =
        Server.builder(serverGroup)
            .timeouts(Timeouts.DEFAULTS.withWriteStall(Duration.ofMillis(300)))
            .bind(
                listenAddress(),
                () ->
                    new Protocol() {
                      @Override
                      public void opened(Connection c) {
                        // Far more than the kernel buffers hold, so the queue must stall.
                        byte[] chunk = new byte[1 << 20];
                        for (int i = 0; i < 64; i++) {
                          c.write(chunk);
                        }
                      }

                      @Override
                      public void received(Connection c, ByteBuffer data) {}

                      @Override
                      public void closed(Connection c, CloseReason reason) {
                        serverSide.complete(reason);
                      }
                    });
    var reader = new RecordingProtocol();
    connect(server, reader).suspendReads();

    CloseReason reason = serverSide.get(20, TimeUnit.SECONDS);
    assertThat(reason.kind()).isEqualTo(CloseReason.Kind.TIMEOUT);
    assertThat(reason.message()).startsWith("write stalled");
  }

  @Test
  void aSlowReaderKeepsTheServersQueueBounded() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    // More than every buffer between the writer and its unread socket can hold, so that the writer
    // must stall: the peer's send buffer (up to tcp_wmem's 4 MiB here), the server's receive buffer
    // (autotuned while the server reads, up to tcp_rmem's maximum: 32 MiB on this machine), the
    // server's queue and its send buffer (4 MiB), and the peer's receive buffer (it reads nothing,
    // so it does not grow). 16 MiB sometimes all fit (the writer never stalled).
    byte[] payload = new byte[64 << 20];
    new Random(7).nextBytes(payload);
    var sent = new AtomicLong();
    try (SocketChannel peer = openBlocking(server.localAddress())) {
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      ByteBuffer out = ByteBuffer.wrap(payload);
                      while (out.hasRemaining()) {
                        sent.addAndGet(peer.write(out));
                      }
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
      // We read nothing yet: the writer must get stuck once every buffer between us is full.
      Await.until("the writer to stall", () -> stableFor(sent, Duration.ofMillis(300)));
      long maxPending =
          serverGroup.registry().connections().stream()
              .mapToLong(ConnectionInfo::pendingBytes)
              .max()
              .orElse(0);
      assertThat(sent.get()).isLessThan(payload.length);
      assertThat(maxPending)
          .as("server queue under a slow reader")
          .isLessThanOrEqualTo(Watermarks.DEFAULTS.high() + EventLoop.READ_BUFFER_SIZE);

      // Now read: everything comes back, intact.
      ByteBuffer in = ByteBuffer.allocate(payload.length);
      while (in.hasRemaining()) {
        if (peer.read(in) < 0) {
          break;
        }
      }
      writer.join(Duration.ofSeconds(10));
      assertThat(sha256(in.array())).isEqualTo(sha256(payload));
    }
  }

  @Test
  void aWriterOnAnotherThreadIsPausedAtTheHighWatermarkWhileTheLoopIsBusy() throws Exception {
    int chunk = 64 * 1024;
    byte[] payload = new byte[4 << 20];
    new Random(11).nextBytes(payload);
    var writer = new PausedWriter();
    var loopBusy = new java.util.concurrent.CountDownLatch(1);
    var releaseLoop = new java.util.concurrent.CountDownLatch(1);
    Object writableAgain = new Object();
    var server =
        Server.builder(serverGroup)
            .bind(
                listenAddress(),
                () ->
                    new Protocol() {
                      @Override
                      public void opened(Connection c) {
                        c.execute(
                            () -> {
                              loopBusy.countDown();
                              awaitQuietly(releaseLoop);
                            });
                        Thread.ofVirtual().start(() -> writeAll(c));
                      }

                      // As ServerResponse streams a body: wait while the connection is unwritable.
                      void writeAll(Connection c) {
                        awaitQuietly(loopBusy);
                        for (int at = 0; at < payload.length; at += chunk) {
                          synchronized (writableAgain) {
                            while (!c.isWritable() && c.isOpen()) {
                              writer.paused.countDown();
                              try {
                                writableAgain.wait();
                              } catch (InterruptedException e) {
                                return;
                              }
                            }
                          }
                          c.write(payload, at, chunk);
                          writer.wrote(c, chunk);
                        }
                      }

                      @Override
                      public void writabilityChanged(Connection c, boolean writable) {
                        synchronized (writableAgain) {
                          writableAgain.notifyAll();
                        }
                      }

                      @Override
                      public void received(Connection c, ByteBuffer data) {}
                    });
    try (SocketChannel peer = openBlocking(server.localAddress())) {
      // The loop is held: every write is a copy in transit. The writer must stop at the watermark.
      writer.assertStoppedAtHighWatermark(payload.length, chunk);

      // The loop goes on: the writer is woken as the peer reads, and everything arrives intact.
      releaseLoop.countDown();
      ByteBuffer in = ByteBuffer.allocate(payload.length);
      while (in.hasRemaining()) {
        if (peer.read(in) < 0) {
          break;
        }
      }
      assertThat(sha256(in.array())).isEqualTo(sha256(payload));
    } finally {
      releaseLoop.countDown();
    }
  }

  private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void gracefulShutdownDeliversWhatWasQueued() throws Exception {
    byte[] payload = new byte[8 << 20];
    new Random(3).nextBytes(payload);
    var server =
        serverThatOnOpen(
            c -> {
              c.write(payload);
            });
    try (SocketChannel peer = openBlocking(server.localAddress())) {
      Await.until("server connection", () -> serverGroup.registry().openCount() == 1);
      CompletableFuture<Void> shutdown = serverGroup.shutdownGracefully(Duration.ofSeconds(20));

      ByteBuffer in = ByteBuffer.allocate(payload.length + 1);
      while (peer.read(in) >= 0 && in.position() <= payload.length) {
        // Read until EOF.
      }
      shutdown.get(20, TimeUnit.SECONDS);
      assertThat(in.position()).isEqualTo(payload.length);
      assertThat(sha256(java.util.Arrays.copyOf(in.array(), in.position())))
          .isEqualTo(sha256(payload));
    }
    assertThatThrownBy(() -> openBlocking(server.localAddress()))
        .as("no longer accepting")
        .isInstanceOf(IOException.class);
  }

  @Test
  void closedServerStopsAccepting() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    SocketAddress address = server.localAddress();
    assertThat(serverGroup.registry().listeners())
        .extracting(ListenerInfo::address)
        .contains(address);

    server.close();

    assertThat(server.isOpen()).isFalse();
    assertThat(serverGroup.registry().listeners()).isEmpty();
    assertThatThrownBy(() -> openBlocking(address)).isInstanceOf(IOException.class);
  }

  @Test
  void registryShowsOpenConnectionsWithTheirCounters() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    var client = new RecordingProtocol();
    Connection connection = connect(server, client);
    connection.write(new byte[1000]);
    Await.until("echo", () -> client.receivedCount() == 1000);

    var infos = serverGroup.registry().connections();
    assertThat(infos).hasSize(1);
    ConnectionInfo info = infos.getFirst();
    assertThat(info.protocol()).isEqualTo("echo");
    assertThat(info.side()).isEqualTo(ConnectionInfo.Side.SERVER);
    assertThat(info.bytesIn()).isEqualTo(1000);
    assertThat(info.bytesOut()).isEqualTo(1000);
    assertThat(info.state()).isEqualTo(ConnectionState.OPEN);

    connection.close();
    Await.until("server side closed", () -> serverGroup.registry().openCount() == 0);
  }

  @Test
  void writesFromOtherThreadsArriveInOrder() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    var client = new RecordingProtocol();
    Connection connection = connect(server, client);
    var expected = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      String piece = i + ",";
      expected.append(piece);
      connection.write(piece.getBytes(StandardCharsets.US_ASCII));
    }
    Await.until("all echoed", () -> client.receivedCount() == expected.length());
    assertThat(new String(client.receivedBytes(), StandardCharsets.US_ASCII))
        .isEqualTo(expected.toString());
  }

  @Test
  void sendsFilesWithTransferTo() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("wharf", ".bin");
    try {
      byte[] content = new byte[3 << 20];
      new Random(5).nextBytes(content);
      java.nio.file.Files.write(file, content);
      var server =
          serverThatOnOpen(
              c -> {
                try {
                  c.write("head:".getBytes(StandardCharsets.US_ASCII));
                  c.writeFile(java.nio.channels.FileChannel.open(file), 0, content.length);
                  c.closeAfterFlush();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      var client = new RecordingProtocol();
      connect(server, client);
      client.closed.get(20, TimeUnit.SECONDS);
      byte[] got = client.receivedBytes();
      assertThat(new String(got, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("head:");
      assertThat(sha256(java.util.Arrays.copyOfRange(got, 5, got.length)))
          .isEqualTo(sha256(content));
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  @Test
  void arraysWrittenOnTheLoopFillSegmentsInOrder() throws Exception {
    // Arrays (whole, or a range of one) are copied straight into the queue's 16 KiB segments:
    // pieces that straddle a segment's end, one larger than a segment, and an empty one must all
    // arrive whole, in order.
    byte[] content = new byte[70_000];
    new Random(7).nextBytes(content);
    int[] cuts = {0, 5, 10_000, 20_000, 20_000, 45_000, 45_001, 70_000};
    var server =
        serverThatOnOpen(
            c -> {
              for (int i = 1; i < cuts.length; i++) {
                if (i % 2 == 0) {
                  c.write(java.util.Arrays.copyOfRange(content, cuts[i - 1], cuts[i]));
                } else {
                  c.write(content, cuts[i - 1], cuts[i] - cuts[i - 1]);
                }
              }
              c.closeAfterFlush();
            });
    var client = new RecordingProtocol();
    connect(server, client);
    client.closed.get(20, TimeUnit.SECONDS);
    assertThat(client.receivedBytes()).isEqualTo(content);
  }

  static Protocol closeRecorder(CompletableFuture<CloseReason> sink) {
    return new Protocol() {
      @Override
      public void received(Connection c, ByteBuffer data) {
        data.position(data.limit());
      }

      @Override
      public void closed(Connection c, CloseReason reason) {
        sink.complete(reason);
      }
    };
  }

  /** True once the counter has not moved for {@code quiet}. */
  private static boolean stableFor(AtomicLong counter, Duration quiet) {
    long before = counter.get();
    long deadline = System.nanoTime() + quiet.toNanos();
    while (System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
      if (counter.get() != before) {
        return false;
      }
    }
    return before > 0;
  }

  static String sha256(byte[] data) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  static <T> T unwrap(CompletableFuture<T> future) throws Throwable {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }
}
