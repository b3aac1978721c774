package dev.wharf.bench.ws;

import dev.wharf.bench.load.IdleConnections;
import dev.wharf.bench.load.LoadLoop;
import dev.wharf.bench.load.LoadOptions;
import dev.wharf.bench.load.SocketEchoConnection;
import dev.wharf.load.wire.ServerFrameReader;
import dev.wharf.load.wire.WsClientCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The WebSocket load generator: the {@link dev.wharf.bench.load} core with WebSocket frames as its
 * framing ({@link WsEchoConnection}: a minimal client of its own, {@link WsClientCodec} and {@link
 * ServerFrameReader}), the same code against every server. Run it pinned to the core the server is
 * not on.
 *
 * <ul>
 *   <li>{@code echo}: {@code --conns N} WebSocket connections each keep {@code --window K} messages
 *       of {@code --size S} bytes ({@code --type text|binary}) in flight, sending the next each
 *       time one comes back whole. The messages are {@link WsMessages}: JSON-like text, 16
 *       different ones sent in turn. Frames are masked with one fixed key and, without deflate,
 *       made once before the run, so sending costs a copy. With {@code --deflate} the client offers
 *       permessage-deflate, compresses every message it sends (level 1, context takeover, as a
 *       browser's client does it) and inflates every message it receives.
 *   <li>{@code idle}: opens {@code --conns N} WebSocket connections, echoes one short text message
 *       on each (so the server has really served each), prints {@code HELD N} and holds them until
 *       its standard input closes or {@code --hold} seconds pass.
 * </ul>
 *
 * <p>{@code echo} runs {@code --warmup} seconds, then {@code --repeats} windows of {@code
 * --duration} seconds, printing {@code MEASURE_START r} when a window opens and {@code RESULT
 * key=value ...} when it closes (as {@link dev.wharf.bench.LoadGen} does).
 */
public final class WsLoadGen {
  private static final int READ_BUFFER = 256 * 1024;

  /** Its options beyond the common ones: {@code --type text|binary}, {@code --deflate}. */
  private static final class WsOptions implements LoadOptions.Extras {
    int opcode = WsClientCodec.OP_TEXT;
    boolean deflate;

    @Override
    public boolean flag(String name) {
      deflate |= name.equals("--deflate");
      return name.equals("--deflate");
    }

    @Override
    public boolean option(String name, String value) {
      if (!name.equals("--type")) {
        return false;
      }
      opcode =
          switch (value) {
            case "text" -> WsClientCodec.OP_TEXT;
            case "binary" -> WsClientCodec.OP_BINARY;
            default -> throw new IllegalArgumentException("--type text|binary: " + value);
          };
      return true;
    }

    String type() {
      return opcode == WsClientCodec.OP_TEXT ? "text" : "binary";
    }
  }

  private WsLoadGen() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, LoadLoop::print) == 0 ? 0 : 1);
  }

  /** Runs the generator with these arguments, printing to {@code out}; returns the errors seen. */
  public static long run(String[] args, Consumer<String> out) throws Exception {
    var ws = new WsOptions();
    var options = LoadOptions.defaults("echo", 7300, 100, 64, 1).parse(args, ws);
    return switch (options.mode()) {
      case "echo" -> echo(options, ws, out);
      case "idle" -> IdleConnections.hold(options, out, (ch, i) -> echoHello(options, ch, i));
      default -> throw new IllegalArgumentException("unknown mode " + options.mode());
    };
  }

  private static long echo(LoadOptions o, WsOptions ws, Consumer<String> out) throws IOException {
    var shared = new WsEchoConnection.Shared(ws.opcode, o.size());
    ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    try (var loop = new LoadLoop(o, out)) {
      List<WsEchoConnection> all = new ArrayList<>();
      for (int i = 0; i < o.conns(); i++) {
        SocketChannel ch = SocketEchoConnection.connect(o.address());
        try {
          WsClientCodec.Agreement agreement =
              WsClientCodec.handshake(ch, o.host(), o.port(), WsServerMain.PATH, ws.deflate);
          all.add(new WsEchoConnection(loop, o.window(), shared, ch, agreement, readBuffer));
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
      }
      long start = System.nanoTime();
      for (WsEchoConnection c : all) {
        c.fill(start);
        loop.drive(c);
      }
      String params = o.echoLoad() + " deflate=" + ws.deflate;
      return loop.run(
          start,
          o.echoLoad() + " type=" + ws.type() + " deflate=" + ws.deflate,
          l -> {},
          w -> w.result("ws", params, "msgs", w.mbPerSec(w.count() * (double) o.size())));
    }
  }

  /** The idle connections' greeting: the opening handshake and one short text message echoed. */
  private static void echoHello(LoadOptions o, SocketChannel ch, int index) throws IOException {
    WsClientCodec.handshake(ch, o.host(), o.port(), WsServerMain.PATH, false);
    byte[] hello = "hi".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer frame = ByteBuffer.wrap(WsClientCodec.frame(WsClientCodec.OP_TEXT, false, hello, 7));
    while (frame.hasRemaining()) {
      ch.write(frame);
    }
    ByteBuffer echo = ByteBuffer.allocate(4);
    while (echo.hasRemaining()) {
      if (ch.read(echo) < 0) {
        throw new IOException("closed before the echo on connection " + index);
      }
    }
    if (echo.get(0) != (byte) 0x81 || echo.get(1) != 2 || echo.get(2) != 'h') {
      throw new IOException("wrong echo on connection " + index);
    }
  }
}
