package dev.wharf.bench;

import dev.wharf.bench.load.Churn;
import dev.wharf.bench.load.ConnectingEndpoint;
import dev.wharf.bench.load.IdleConnections;
import dev.wharf.bench.load.LoadLoop;
import dev.wharf.bench.load.LoadOptions;
import dev.wharf.bench.load.SocketEchoConnection;
import dev.wharf.load.wire.PatternStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * The TCP echo load generator: the {@link dev.wharf.bench.load} core with raw bytes as its framing,
 * the same code against every server. Run it pinned to the core the server is not on.
 *
 * <ul>
 *   <li>{@code echo}: {@code --conns N} connections each keep {@code --window K} messages of {@code
 *       --size S} bytes in flight, sending one more each time one comes back whole. K = 1 is
 *       ping-pong (latency), K = 16 pipelined (throughput). The stream carries byte {@code offset %
 *       251} ({@link PatternStream}), checked as it comes back.
 *   <li>{@code accept}: {@code --concurrency C} connections at a time each connect, write 1 byte,
 *       read it back and close with SO_LINGER 0 (RST, so the client keeps no TIME-WAIT and the
 *       ephemeral ports are not used up), as fast as they can.
 *   <li>{@code idle}: opens {@code --conns N} connections, exchanges 1 byte on each, prints {@code
 *       HELD N} and holds them until its standard input closes or {@code --hold} seconds pass.
 * </ul>
 *
 * <p>{@code echo} and {@code accept} run {@code --warmup} seconds, then {@code --repeats} windows
 * of {@code --duration} seconds each, printing {@code MEASURE_START r} when a window opens and a
 * {@code RESULT key=value ...} line when it closes.
 */
public final class LoadGen {
  private static final int READ_BUFFER = 256 * 1024;
  private static final byte ACCEPT_BYTE = 42;

  private LoadGen() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, LoadLoop::print) == 0 ? 0 : 1);
  }

  /** Runs the generator with these arguments, printing to {@code out}; returns the errors seen. */
  public static long run(String[] args, Consumer<String> out) throws Exception {
    var options =
        LoadOptions.defaults("echo", 7007, 100, 64, 1).parse(args, new LoadOptions.Extras() {});
    return switch (options.mode()) {
      case "echo" -> echo(options, out);
      case "accept" -> accept(options, out);
      case "idle" -> IdleConnections.hold(options, out, LoadGen::echoOneByte);
      default -> throw new IllegalArgumentException("unknown mode " + options.mode());
    };
  }

  // ---- echo ----

  /** One echo connection: its messages are the next {@code size} bytes of the pattern. */
  private static final class RawEcho extends SocketEchoConnection {
    private final LoadLoop loop;
    private final PatternStream pattern;
    private final int size;

    RawEcho(
        LoadLoop loop, LoadOptions o, SocketChannel ch, ByteBuffer source, ByteBuffer readBuffer)
        throws IOException {
      super(loop, o.window(), ch, readBuffer);
      this.loop = loop;
      this.pattern = new PatternStream(source);
      this.size = o.size();
    }

    @Override
    protected void send() {
      pattern.add(size);
    }

    @Override
    protected ByteBuffer outbound() {
      return pattern.next(Integer.MAX_VALUE);
    }

    @Override
    protected void wrote(int n) {
      pattern.sent(n);
    }

    @Override
    protected void received(ByteBuffer data) throws IOException {
      loop.received(data.remaining());
      receivedInAll(pattern.received(data), size);
    }
  }

  private static long echo(LoadOptions o, Consumer<String> out) throws IOException {
    ByteBuffer source = PatternStream.source(Math.max(READ_BUFFER, o.size() * o.window()));
    ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    InetSocketAddress address = o.address();
    try (var loop = new LoadLoop(o, out)) {
      var all = new RawEcho[o.conns()];
      for (int i = 0; i < all.length; i++) {
        all[i] = new RawEcho(loop, o, SocketEchoConnection.connect(address), source, readBuffer);
      }
      long start = System.nanoTime();
      for (RawEcho c : all) {
        c.fill(start);
        loop.drive(c);
      }
      String params = o.echoLoad();
      return loop.run(
          start, params, l -> {}, w -> w.result("echo", params, "msgs", w.mbPerSec(w.bytes())));
    }
  }

  // ---- accept ----

  /** One connect, 1-byte echo and close (RST), timed from before the connect. */
  private static final class AcceptOnce extends ConnectingEndpoint {
    private final LoadLoop loop;
    private final Churn churn;
    private final ByteBuffer buffer;

    AcceptOnce(LoadLoop loop, Churn churn, ByteBuffer buffer) throws IOException {
      this.loop = loop;
      this.churn = churn;
      this.buffer = buffer;
    }

    @Override
    protected void connected() throws IOException {
      channel.write(buffer.clear().put(0, ACCEPT_BYTE).limit(1));
    }

    @Override
    protected void selected() throws IOException {
      int n = channel.read(buffer.clear());
      if (n == 0) {
        return;
      }
      if (n != 1 || buffer.get(0) != ACCEPT_BYTE) {
        throw new IOException("wrong echo of the byte sent (" + n + " bytes)");
      }
      close();
      loop.completed(began(), System.nanoTime());
    }

    @Override
    protected void closed() {
      churn.ended();
    }
  }

  private static long accept(LoadOptions o, Consumer<String> out) throws IOException {
    InetSocketAddress address = o.address();
    ByteBuffer buffer = ByteBuffer.allocateDirect(64);
    var churn =
        new Churn(
            o.concurrency(), (loop, c) -> new AcceptOnce(loop, c, buffer).connect(loop, address));
    try (var loop = new LoadLoop(o, out)) {
      String params = "concurrency=" + o.concurrency();
      return loop.run(
          System.nanoTime(), params, churn, w -> w.result("accept", params, "conns", ""));
    }
  }

  // ---- idle ----

  private static void echoOneByte(SocketChannel ch, int index) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(1);
    ch.write(buffer.put((byte) 7).flip());
    if (ch.read(buffer.clear()) != 1) {
      throw new IOException("no echo on connection " + index);
    }
  }
}
