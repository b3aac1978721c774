package dev.wharf.websocket;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ConnectionInfo;
import dev.wharf.core.ConnectionState;
import dev.wharf.core.Protocol;
import dev.wharf.core.Transport;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.PerMessageDeflate;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A server session echoing one binary message, as {@code bench/run ws} does over sockets but with
 * no I/O: the client's masked frame is copied into a 64 KiB direct buffer one read's worth at a
 * time (as the event loop reads), handed to the session, and the echo written to a connection that
 * discards it. Run with {@code -prof gc} for the heap allocated per message.
 *
 * <p>It lives in the websocket package to reach the package-private session, as that module's tests
 * do. With {@code deflate} the client compresses at level 1 with context takeover (as the generator
 * does); replaying the same compressed frame is valid because every message is the same, so the
 * history each one refers to is the same too. The server compresses its echo at level 6.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WebSocketEchoBenchmark {
  private static final int READ_BUFFER_BYTES = 64 * 1024;
  private static final int MASK_KEY = 0x37FA213D;

  @Param({"65536"})
  public int size;

  @Param({"false", "true"})
  public boolean deflate;

  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
  private DiscardingConnection connection;
  private WebSocketSession session;
  private byte[] wire;

  @Setup
  public void setUp() {
    byte[] message = jsonLike(size);
    Optional<PerMessageDeflate.Agreement> agreement =
        deflate
            ? Optional.of(new PerMessageDeflate.Agreement(false, false, 15, PerMessageDeflate.NAME))
            : Optional.empty();
    var config =
        deflate
            ? WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).build()
            : WebSocketConfig.DEFAULTS;
    session = new WebSocketSession(config, true, new Echo(), Optional.empty(), agreement);
    connection = new DiscardingConnection(session);
    session.opened(connection);
    if (deflate) {
      var compressor = new Deflater(1, true);
      byte[] first = frame(compress(compressor, message), true);
      wire = frame(compress(compressor, message), true);
      compressor.end();
      feed(first); // The history the replayed frame refers to.
    } else {
      wire = frame(message, false);
    }
  }

  @Benchmark
  public long echo() {
    feed(wire);
    if (!connection.isOpen()) {
      throw new IllegalStateException("the session closed the connection");
    }
    return connection.written;
  }

  private void feed(byte[] bytes) {
    for (int at = 0; at < bytes.length; at += READ_BUFFER_BYTES) {
      int n = Math.min(READ_BUFFER_BYTES, bytes.length - at);
      readBuffer.clear().put(bytes, at, n).flip();
      session.received(connection, readBuffer);
    }
  }

  private static byte[] frame(byte[] payload, boolean compressed) {
    return WebSocketFrameWriter.encode(
        Opcodes.BINARY, true, compressed, ByteBuffer.wrap(payload), true, MASK_KEY);
  }

  /** RFC 7692 §7.2.1: a sync flush, its 00 00 ff ff tail removed. */
  private static byte[] compress(Deflater compressor, byte[] message) {
    compressor.setInput(message);
    var out = new ByteArrayOutputStream();
    byte[] chunk = new byte[16 * 1024];
    int n;
    do {
      n = compressor.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
      out.write(chunk, 0, n);
    } while (n == chunk.length);
    byte[] all = out.toByteArray();
    return java.util.Arrays.copyOf(all, all.length - 4);
  }

  private static byte[] jsonLike(int size) {
    var random = new Random(size);
    var sb = new StringBuilder(size + 128);
    String[] users = {"alice", "bob", "carol", "dave", "erin", "frank"};
    while (sb.length() < size) {
      sb.append("{\"seq\":").append(random.nextInt(1_000_000));
      sb.append(",\"user\":\"").append(users[random.nextInt(users.length)]);
      sb.append("\",\"x\":").append(random.nextInt(1000)).append("},");
    }
    sb.setLength(size);
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends each message back from the callback, as the benchmark servers do. */
  private static final class Echo implements WebSocketListener {
    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
      ws.sendBinary(data);
    }
  }

  /** A connection on "its loop" (the benchmark thread) that counts what is written and drops it. */
  private static final class DiscardingConnection implements Connection {
    private static final SocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 9);
    private final Protocol protocol;
    private boolean open = true;
    long written;

    DiscardingConnection(Protocol protocol) {
      this.protocol = protocol;
    }

    @Override
    public long id() {
      return 1;
    }

    @Override
    public Transport transport() {
      return Transport.TCP;
    }

    @Override
    public SocketAddress localAddress() {
      return ADDRESS;
    }

    @Override
    public SocketAddress remoteAddress() {
      return ADDRESS;
    }

    @Override
    public void write(ByteBuffer data) {
      written += data.remaining();
      data.position(data.limit());
    }

    @Override
    public void writeFile(FileChannel file, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void flush() {}

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void suspendReads() {}

    @Override
    public void resumeReads() {}

    @Override
    public void shutdownOutput() {}

    @Override
    public void close() {
      open = false;
    }

    @Override
    public void close(CloseReason reason) {
      open = false;
    }

    @Override
    public void closeAfterFlush() {
      open = false;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public ConnectionState state() {
      return open ? ConnectionState.OPEN : ConnectionState.CLOSED;
    }

    @Override
    public <T> Optional<T> option(SocketOption<T> option) {
      return Optional.empty();
    }

    @Override
    public ConnectionInfo info() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Protocol protocol() {
      return protocol;
    }

    @Override
    public void switchProtocol(Protocol next, ByteBuffer leftover) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean inEventLoop() {
      return true;
    }

    @Override
    public void execute(Runnable task) {
      task.run();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      return () -> {};
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void wakeUpAt(long deadlineNanos) {}

    @Override
    public void idleTimeout(Duration idle) {}
  }
}
