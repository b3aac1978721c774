package dev.wharf.bench.jmh;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.server.HttpServer;
import dev.wharf.websocket.DeflateOptions;
import dev.wharf.websocket.EchoListeners;
import dev.wharf.websocket.WebSocketConfig;
import dev.wharf.websocket.WebSocketServer;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.WebSocketFrameWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * A server session echoing one binary message, as {@code bench/run ws} does over sockets but with
 * no I/O: the client's masked frame is copied into a 64 KiB direct buffer one read's worth at a
 * time (as the event loop reads), handed to the connection, and the echo counted and dropped
 * ({@link EmbeddedConnection#discardOutbound()}). Run with {@code -prof gc} for the heap allocated
 * per message.
 *
 * <p>The server is made as a user makes one: an {@link HttpServer} route with {@link
 * WebSocketServer#handler} and {@link EchoListeners#whole}, its protocol ({@link
 * HttpServer.Builder#protocol()}) upgraded by a real opening handshake. With {@code deflate} the
 * client compresses at level 1 with context takeover (as the generator does); replaying the same
 * compressed frame is valid because every message is the same, so the history each one refers to is
 * the same too. The server compresses its echo at level 6.
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
  private EventLoopGroup unused; // The builder's: nothing runs on it here.
  private EmbeddedConnection connection;
  private byte[] wire;

  @Setup
  public void setUp() {
    byte[] message = jsonLike(size);
    var config =
        deflate
            ? WebSocketConfig.builder().deflate(DeflateOptions.DEFAULTS).build()
            : WebSocketConfig.DEFAULTS;
    unused = new EventLoopGroup(1, "bench-unused", true);
    var server =
        HttpServer.builder(unused)
            .get("/ws", WebSocketServer.handler(config, EchoListeners::whole));
    connection = EmbeddedConnection.of(new FakeClock(), server.protocol());
    connection.writeInbound(
        "GET /ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "")
            + "\r\n");
    connection.runPendingTasks();
    connection.checkException();
    String answer = connection.readOutboundAscii();
    if (!answer.startsWith("HTTP/1.1 101") || deflate != answer.contains("permessage-deflate")) {
      throw new IllegalStateException("the server did not upgrade as asked: " + answer);
    }
    connection.discardOutbound();
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

  @TearDown
  public void tearDown() {
    unused.close();
  }

  @Benchmark
  public long echo() {
    feed(wire);
    if (connection.isClosed()) {
      throw new IllegalStateException("the session closed the connection");
    }
    return connection.outboundBytes();
  }

  private void feed(byte[] bytes) {
    for (int at = 0; at < bytes.length; at += READ_BUFFER_BYTES) {
      int n = Math.min(READ_BUFFER_BYTES, bytes.length - at);
      readBuffer.clear().put(bytes, at, n).flip();
      connection.writeInbound(readBuffer);
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
}
