package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that answers and closes while the client is still sending: with a lingering close the
 * client reads the whole answer and then EOF; without, our kernel's reset stops it first. Lingering
 * ends at the peer's FIN, after the silence or total deadline, or when the group stops, and never
 * starts for failures.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LingeringCloseIT {
  /** Far more than loopback's socket buffers hold, so most of it is unread when we close. */
  private static final int BODY_BYTES = 16 * 1024 * 1024;

  private static final byte[] ANSWER = answer(100 * 1024);

  @TempDir Path dir;

  private final EventLoopGroup group = new EventLoopGroup(1, "linger-it", true);

  @AfterEach
  void stop() throws Exception {
    group.shutdownGracefully(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
  }

  private static byte[] answer(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    return bytes;
  }

  /**
   * Answers the first bytes it receives with {@link #ANSWER} and closes the way the test says;
   * records what reached it and when it heard of the close.
   */
  private static final class AnswerAndClose implements Protocol {
    final AtomicLong received = new AtomicLong();
    final AtomicLong receivedAtClose = new AtomicLong(-1);
    final AtomicInteger closes = new AtomicInteger();
    final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    volatile long closedAtNanos;
    private final Consumer<Connection> close;

    AnswerAndClose(Consumer<Connection> close) {
      this.close = close;
    }

    @Override
    public void received(Connection c, ByteBuffer data) {
      boolean first = received.get() == 0;
      received.addAndGet(data.remaining());
      data.position(data.limit());
      if (first) {
        c.write(ANSWER);
        close.accept(c);
      }
    }

    @Override
    public void closed(Connection c, CloseReason reason) {
      // The loop's clock, from which the linger's deadline counts: it reads the time at the start
      // of the loop's phase, which on a loaded machine can be tens of milliseconds before now.
      closedAtNanos = c.nanoTime();
      receivedAtClose.set(received.get());
      closes.incrementAndGet();
      closed.complete(reason);
    }
  }

  private Server serve(Timeouts timeouts, SocketAddress address, AnswerAndClose protocol)
      throws Exception {
    return Server.builder(group).timeouts(timeouts).bind(address, () -> protocol);
  }

  private Server serveTcp(Timeouts timeouts, AnswerAndClose protocol) throws Exception {
    return serve(timeouts, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), protocol);
  }

  private static Timeouts lingering(Duration silence, Duration total) {
    return Timeouts.DEFAULTS.withLingering(silence, total);
  }

  /** What a client that sends its whole body and then reads got: the answer, or what stopped it. */
  private record Outcome(byte[] read, boolean sawEof, IOException failure) {
    /** Whether the whole answer was read, and nothing else; said briefly when not. */
    boolean readTheAnswer() {
      return Arrays.equals(read, ANSWER);
    }

    @Override
    public String toString() {
      return read.length + " of " + ANSWER.length + " bytes read, eof " + sawEof + ", " + failure;
    }
  }

  /** Sends {@code body} bytes in full, then reads to EOF, as a simple blocking client does. */
  private static Outcome sendThenRead(OutputStream out, InputStream in, int body) {
    var read = new ByteArrayOutputStream();
    try {
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < body; sent += chunk.length) {
        out.write(chunk, 0, Math.min(chunk.length, body - sent));
      }
      out.flush();
      byte[] buffer = new byte[64 * 1024];
      // Bounded by the answer's size: EOF or more than expected ends it.
      while (read.size() <= ANSWER.length) {
        int n = in.read(buffer);
        if (n < 0) {
          return new Outcome(read.toByteArray(), true, null);
        }
        read.write(buffer, 0, n);
      }
      return new Outcome(read.toByteArray(), false, null);
    } catch (IOException e) {
      return new Outcome(read.toByteArray(), false, e);
    }
  }

  private static Socket connect(Server server) throws IOException {
    var socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
    socket.setSoTimeout(20_000); // A hung read fails the test instead of holding it.
    return socket;
  }

  @Test
  void aClientStillSendingReadsTheWholeAnswerThenEof() throws Exception {
    var protocol = new AnswerAndClose(Connection::closeAfterFlush);
    // Long deadlines: the close must end at the client's FIN, not at a timer.
    Server server = serveTcp(lingering(Duration.ofSeconds(30), Duration.ofSeconds(60)), protocol);

    Outcome outcome;
    try (Socket client = connect(server)) {
      outcome = sendThenRead(client.getOutputStream(), client.getInputStream(), BODY_BYTES);
      assertThat(outcome.failure()).isNull();
      assertThat(outcome.sawEof()).isTrue();
      assertThat(outcome.readTheAnswer()).as("%s", outcome).isTrue();
      assertThat(protocol.closed.get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.LOCAL);
      assertThat(group.registry().openCount()).as("lingering until our FIN").isEqualTo(1);
    }
    Await.until(
        "the lingering close ends at the client's FIN",
        Duration.ofSeconds(5),
        () -> group.registry().openCount() == 0);
    assertThat(protocol.closes.get()).isEqualTo(1);
    assertThat(protocol.received.get())
        .as("nothing read while lingering reaches the protocol")
        .isEqualTo(protocol.receivedAtClose.get())
        .isLessThan(BODY_BYTES);
  }

  @Test
  void closeAfterAFlushLingersToo() throws Exception {
    var protocol =
        new AnswerAndClose(
            c -> {
              c.flush();
              c.close();
            });
    Server server = serveTcp(Timeouts.DEFAULTS, protocol);

    try (Socket client = connect(server)) {
      Outcome outcome = sendThenRead(client.getOutputStream(), client.getInputStream(), BODY_BYTES);

      assertThat(outcome.failure()).isNull();
      assertThat(outcome.readTheAnswer()).as("%s", outcome).isTrue();
      assertThat(outcome.sawEof()).isTrue();
    }
  }

  @Test
  void withoutLingeringTheSameClientIsReset() throws Exception {
    var protocol = new AnswerAndClose(Connection::closeAfterFlush);
    Server server = serveTcp(lingering(Duration.ZERO, Duration.ZERO), protocol);

    try (Socket client = connect(server)) {
      Outcome outcome = sendThenRead(client.getOutputStream(), client.getInputStream(), BODY_BYTES);

      // What this whole feature is for: the reset, not the answer and EOF.
      assertThat(outcome.failure()).isNotNull().hasMessageMatching("(?i).*(reset|broken pipe).*");
      assertThat(outcome.sawEof()).isFalse();
    }
    Await.until("closed at once", () -> group.registry().openCount() == 0);
  }

  @Test
  void aPeerThatNeverStopsSendingIsCutOffAtTheLingeringTime() throws Exception {
    var protocol = new AnswerAndClose(Connection::closeAfterFlush);
    Duration total = Duration.ofMillis(800);
    Server server = serveTcp(lingering(Duration.ofSeconds(30), total), protocol);

    try (Socket client = connect(server)) {
      OutputStream out = client.getOutputStream();
      byte[] chunk = new byte[64 * 1024];
      IOException cutOff = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      // Sends until the server's reset stops it: bounded by the deadline.
      while (cutOff == null && System.nanoTime() < deadline) {
        try {
          out.write(chunk);
        } catch (IOException e) {
          cutOff = e;
        }
      }
      long socketClosedAt = System.nanoTime();

      assertThat(cutOff).as("the sender is cut off").isNotNull();
      CloseReason reason = protocol.closed.get(5, TimeUnit.SECONDS);
      assertThat(reason).isEqualTo(CloseReason.LOCAL);
      Await.until("socket closed", () -> group.registry().openCount() == 0);
      Duration lingered = Duration.ofNanos(socketClosedAt - protocol.closedAtNanos);
      assertThat(lingered).isGreaterThanOrEqualTo(total).isLessThan(total.plusSeconds(3));
      assertThat(protocol.received.get()).isEqualTo(protocol.receivedAtClose.get());
    }
  }

  @Test
  void aSilentPeerIsLetGoAfterTheLingeringTimeout() throws Exception {
    var protocol = new AnswerAndClose(Connection::closeAfterFlush);
    Duration silence = Duration.ofMillis(500);
    Server server = serveTcp(lingering(silence, Duration.ofSeconds(30)), protocol);

    try (Socket client = connect(server)) {
      // A body bigger than one read, so some is unread at the close; then the client keeps its
      // socket open and says nothing.
      Outcome outcome =
          sendThenRead(client.getOutputStream(), client.getInputStream(), 1024 * 1024);
      assertThat(outcome.readTheAnswer()).as("%s", outcome).isTrue();
      assertThat(outcome.sawEof()).isTrue();

      protocol.closed.get(5, TimeUnit.SECONDS);
      Await.until("let go", Duration.ofSeconds(5), () -> group.registry().openCount() == 0);
      Duration lingered = Duration.ofNanos(System.nanoTime() - protocol.closedAtNanos);
      assertThat(lingered).isGreaterThanOrEqualTo(silence).isLessThan(silence.plusSeconds(3));
    }
  }

  @Test
  void failuresCloseAtOnce() throws Exception {
    var protocol = new AnswerAndClose(c -> c.close(CloseReason.error(new IOException("broken"))));
    Server server = serveTcp(lingering(Duration.ofSeconds(30), Duration.ofSeconds(60)), protocol);

    try (var client = SocketChannel.open(server.localAddress())) {
      client.write(ByteBuffer.wrap(new byte[1000]));

      assertThat(protocol.closed.get(5, TimeUnit.SECONDS).kind()).isEqualTo(CloseReason.Kind.ERROR);
      Await.until(
          "closed without lingering",
          Duration.ofSeconds(5),
          () -> group.registry().openCount() == 0);
    }
  }

  @Test
  void aUnixSocketLingersToo() throws Exception {
    var protocol = new AnswerAndClose(Connection::closeAfterFlush);
    Path path = Files.createDirectories(dir.resolve("s")).resolve("linger.sock");
    serve(Timeouts.DEFAULTS, UnixDomainSocketAddress.of(path), protocol);

    try (var client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      // Without lingering the answer would still be readable, but the client's write fails with
      // a broken pipe before it gets there.
      Outcome outcome =
          sendThenRead(
              Channels.newOutputStream(client), Channels.newInputStream(client), BODY_BYTES);

      assertThat(outcome.readTheAnswer()).as("%s", outcome).isTrue();
      assertThat(outcome.sawEof()).isTrue();
    }
    Await.until("closed at the client's FIN", () -> group.registry().openCount() == 0);
  }

  @Test
  void aStoppingGroupEndsALingeringClose() throws Exception {
    var protocol = new AnswerAndClose(Connection::closeAfterFlush);
    Server server = serveTcp(lingering(Duration.ofSeconds(30), Duration.ofSeconds(60)), protocol);

    try (Socket client = connect(server)) {
      client.getOutputStream().write(new byte[1000]);
      protocol.closed.get(5, TimeUnit.SECONDS);
      assertThat(group.registry().openCount()).isEqualTo(1);

      long start = System.nanoTime();
      group.shutdownGracefully(Duration.ofMillis(300)).get(10, TimeUnit.SECONDS);

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(group.registry().openCount()).isZero();
      assertThat(Arrays.equals(client.getInputStream().readAllBytes(), ANSWER)).isTrue();
    }
  }
}
