package dev.wharf.bench.ws;

import dev.wharf.bench.TimedWindows;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The WebSocket load generator: one platform thread, one selector, a minimal client of its own
 * ({@link WsClientCodec}, {@link ServerFrameReader}), the same code against every server. Run it
 * pinned to the core the server is not on.
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
 * key=value ...} when it closes (as {@link dev.wharf.bench.LoadGen} does). Every message that comes
 * back is checked: its type, its length, and the first and last byte of every piece of it against
 * the message sent.
 */
public final class WsLoadGen {
  private static final int READ_BUFFER = 256 * 1024;

  /**
   * One mask key for every frame: servers cannot tell, and it lets the frames be made once. (RFC
   * 6455 wants unpredictable keys to protect intermediaries from browser scripts; no script here.)
   */
  private static final int MASK_KEY = 0x5a3c_9e17;

  private String mode = "echo";
  private String host = "127.0.0.1";
  private int port = 7300;
  private int conns = 100;
  private int size = 64;
  private int window = 1;
  private int opcode = WsClientCodec.OP_TEXT;
  private boolean deflate;
  private double warmup = 15;
  private double duration = 20;
  private int repeats = 3;
  private double hold = 600;
  private final Consumer<String> out;

  private WsLoadGen(Consumer<String> out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    long errors =
        run(
            args,
            line -> {
              System.out.println(line);
              System.out.flush();
            });
    System.exit(errors == 0 ? 0 : 1);
  }

  /** Runs the generator with these arguments, printing to {@code out}; returns the errors seen. */
  public static long run(String[] args, Consumer<String> out) throws Exception {
    var gen = new WsLoadGen(out);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        gen.mode = a;
        continue;
      }
      if (a.equals("--deflate")) {
        gen.deflate = true;
        continue;
      }
      String v = args[++i];
      switch (a) {
        case "--host" -> gen.host = v;
        case "--port" -> gen.port = Integer.parseInt(v);
        case "--conns" -> gen.conns = Integer.parseInt(v);
        case "--size" -> gen.size = Integer.parseInt(v);
        case "--window" -> gen.window = Integer.parseInt(v);
        case "--type" ->
            gen.opcode =
                switch (v) {
                  case "text" -> WsClientCodec.OP_TEXT;
                  case "binary" -> WsClientCodec.OP_BINARY;
                  default -> throw new IllegalArgumentException("--type text|binary: " + v);
                };
        case "--warmup" -> gen.warmup = Double.parseDouble(v);
        case "--duration" -> gen.duration = Double.parseDouble(v);
        case "--repeats" -> gen.repeats = Integer.parseInt(v);
        case "--hold" -> gen.hold = Double.parseDouble(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    return switch (gen.mode) {
      case "echo" -> gen.echo();
      case "idle" -> gen.idle();
      default -> throw new IllegalArgumentException("unknown mode " + gen.mode);
    };
  }

  // ---- echo ----

  /** What all connections share: the messages, their frames, scratch buffers. */
  private final class Shared {
    final byte[][] messages = WsMessages.make(size);

    /** Without deflate: each message's whole masked frame, made once. */
    final byte[][] frames = new byte[WsMessages.COUNT][];

    final byte[] compressed = new byte[size * 2 + 1024];
    final ByteBuffer inflated = ByteBuffer.allocateDirect(64 * 1024);
    final ByteBuffer tail = ByteBuffer.wrap(WsClientCodec.DEFLATE_TAIL);
    final TimedWindows windows = new TimedWindows(warmup, duration, repeats, out);
    long msgs;
    long errors;

    Shared() {
      for (int i = 0; i < frames.length; i++) {
        frames[i] = WsClientCodec.frame(opcode, false, messages[i], MASK_KEY);
      }
    }
  }

  /** One connection: what it has to send, what it is receiving, its messages in flight. */
  private final class Conn implements ServerFrameReader.Sink {
    final Shared shared;
    final SocketChannel channel;
    final ServerFrameReader reader = new ServerFrameReader(this);

    /** Frames issued and not yet written, between position and limit. */
    final ByteBuffer pending;

    final long[] issued = new long[window];
    int head;
    int inFlight;
    long sent;
    long received;
    SelectionKey key;

    final Deflater deflater;
    final Inflater inflater;
    boolean compressEachAfresh;
    boolean inflateEachAfresh;
    boolean compressed;
    long messageBytes;

    Conn(Shared shared, SocketChannel channel, WsClientCodec.Agreement agreement) {
      this.shared = shared;
      this.channel = channel;
      int maxFrame =
          WsClientCodec.headerLength(shared.compressed.length) + shared.compressed.length;
      this.pending = ByteBuffer.allocateDirect(window * maxFrame).flip();
      if (agreement.deflate()) {
        deflater = new Deflater(1, true);
        inflater = new Inflater(true);
        compressEachAfresh = agreement.clientNoContextTakeover();
        inflateEachAfresh = agreement.serverNoContextTakeover();
      } else {
        deflater = null;
        inflater = null;
      }
    }

    void issue(long now) {
      issued[(head + inFlight) % window] = now;
      inFlight++;
      int index = (int) (sent++ % WsMessages.COUNT);
      pending.compact();
      if (deflater == null) {
        pending.put(shared.frames[index]);
      } else {
        byte[] message = shared.messages[index];
        if (compressEachAfresh) {
          deflater.reset();
        }
        deflater.setInput(message);
        byte[] buf = shared.compressed;
        int n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        if (n >= buf.length || !deflater.needsInput()) {
          throw new IllegalStateException("compressed message larger than " + buf.length);
        }
        // RFC 7692 §7.2.1: the message ends without the 00 00 ff ff of the sync flush.
        WsClientCodec.putFrame(pending, opcode, true, buf, 0, n - 4, MASK_KEY);
      }
      pending.flip();
    }

    /** Writes what it can; returns false on an error. */
    boolean flush() {
      try {
        while (pending.hasRemaining()) {
          if (channel.write(pending) == 0) {
            break;
          }
        }
        int ops =
            pending.hasRemaining()
                ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
                : SelectionKey.OP_READ;
        if (key.interestOps() != ops) {
          key.interestOps(ops);
        }
        return true;
      } catch (IOException e) {
        out.accept("WARN write failed: " + e);
        key.cancel();
        return false;
      }
    }

    @Override
    public void messageStart(int type, boolean rsv1) throws IOException {
      if (type != opcode) {
        throw new IOException("message of opcode " + type + " back for " + opcode);
      }
      if (rsv1 && inflater == null) {
        throw new IOException("a compressed message without permessage-deflate");
      }
      compressed = rsv1;
      messageBytes = 0;
    }

    @Override
    public void messageData(ByteBuffer data) throws IOException {
      if (!compressed) {
        check(data);
        return;
      }
      inflater.setInput(data);
      inflateAll();
      data.position(data.limit());
    }

    private void inflateAll() throws IOException {
      ByteBuffer out = shared.inflated;
      try {
        while (true) {
          out.clear();
          int n = inflater.inflate(out);
          if (n > 0) {
            out.flip();
            check(out);
          } else if (inflater.needsInput() || inflater.finished()) {
            return;
          } else if (inflater.needsDictionary()) {
            throw new IOException("inflate needs a dictionary");
          }
        }
      } catch (DataFormatException e) {
        throw new IOException("bad deflate data: " + e.getMessage(), e);
      }
    }

    /** Checks a piece of the current message against the message sent. */
    private void check(ByteBuffer piece) throws IOException {
      int n = piece.remaining();
      if (n == 0) {
        return;
      }
      byte[] expected = shared.messages[(int) (received % WsMessages.COUNT)];
      long at = messageBytes;
      if (at + n > expected.length
          || piece.get(piece.position()) != expected[(int) at]
          || piece.get(piece.limit() - 1) != expected[(int) (at + n - 1)]) {
        throw new IOException("echoed bytes differ at message offset " + at);
      }
      messageBytes += n;
      piece.position(piece.limit());
    }

    @Override
    public void messageEnd() throws IOException {
      if (compressed) {
        shared.tail.clear();
        inflater.setInput(shared.tail);
        inflateAll();
        if (inflateEachAfresh) {
          inflater.reset();
        }
      }
      if (messageBytes != size) {
        throw new IOException("message of " + messageBytes + " bytes back for " + size);
      }
      long now = System.nanoTime();
      shared.windows.record(issued[head], now);
      head = (head + 1) % window;
      inFlight--;
      received++;
      shared.msgs++;
      issue(now);
    }

    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing at the end; nothing to do.
      }
      if (deflater != null) {
        deflater.end();
        inflater.end();
      }
    }
  }

  private Conn open(Shared shared, Selector selector) throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.connect(new InetSocketAddress(host, port));
      WsClientCodec.Agreement agreement =
          WsClientCodec.handshake(ch, host, port, WsServerMain.PATH, deflate);
      ch.configureBlocking(false);
      var c = new Conn(shared, ch, agreement);
      c.key = ch.register(selector, SelectionKey.OP_READ, c);
      return c;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private long echo() throws IOException {
    var shared = new Shared();
    ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    List<Conn> all = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < conns; i++) {
        all.add(open(shared, selector));
      }
      long start = System.nanoTime();
      for (Conn c : all) {
        for (int k = 0; k < window; k++) {
          c.issue(start);
        }
        if (!c.flush()) {
          shared.errors++;
        }
      }
      TimedWindows windows = shared.windows;
      windows.start(
          start,
          String.format(
              Locale.ROOT,
              "conns=%d size=%d window=%d type=%s deflate=%s",
              conns,
              size,
              window,
              opcode == WsClientCodec.OP_TEXT ? "text" : "binary",
              deflate));
      while (true) {
        long now = System.nanoTime();
        if (windows.due(now)) {
          if (windows.measuring()) {
            double secs = windows.seconds(now);
            out.accept(
                String.format(
                    Locale.ROOT,
                    "RESULT mode=ws rep=%d conns=%d size=%d window=%d deflate=%s secs=%.3f"
                        + " msgs=%d msgsPerSec=%.1f mbPerSec=%.2f %s errors=%d",
                    windows.rep(),
                    conns,
                    size,
                    window,
                    deflate,
                    secs,
                    shared.msgs,
                    shared.msgs / secs,
                    shared.msgs * (double) size / secs / 1e6,
                    windows.latency(),
                    shared.errors));
          }
          if (!windows.next(now)) {
            break;
          }
          shared.msgs = 0;
        }
        selector.select(50);
        var ready = selector.selectedKeys();
        for (SelectionKey key : ready) {
          Conn c = (Conn) key.attachment();
          if (!key.isValid()) {
            continue;
          }
          if (key.isReadable() && !read(c, readBuffer)) {
            shared.errors++;
            continue;
          }
          if (key.isValid() && (key.isWritable() || c.pending.hasRemaining()) && !c.flush()) {
            shared.errors++;
          }
        }
        ready.clear();
      }
    } finally {
      all.forEach(Conn::close);
    }
    out.accept("DONE errors=" + shared.errors);
    return shared.errors;
  }

  /** Reads what came back and completes messages; false (the connection dropped) on an error. */
  private boolean read(Conn c, ByteBuffer buffer) {
    try {
      while (true) {
        buffer.clear();
        int n = c.channel.read(buffer);
        if (n < 0) {
          throw new IOException("server closed a connection");
        }
        if (n == 0) {
          return true;
        }
        buffer.flip();
        c.reader.read(buffer);
        if (n < buffer.capacity()) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      out.accept("WARN connection dropped: " + e.getMessage());
      c.key.cancel();
      c.close();
      return false;
    }
  }

  // ---- idle ----

  private long idle() throws IOException, InterruptedException {
    List<SocketChannel> held = new ArrayList<>(conns);
    byte[] hello = "hi".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer frame = ByteBuffer.wrap(WsClientCodec.frame(WsClientCodec.OP_TEXT, false, hello, 7));
    ByteBuffer echo = ByteBuffer.allocate(4);
    long start = System.nanoTime();
    try {
      for (int i = 0; i < conns; i++) {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port));
        held.add(ch);
        WsClientCodec.handshake(ch, host, port, WsServerMain.PATH, false);
        frame.clear();
        while (frame.hasRemaining()) {
          ch.write(frame);
        }
        echo.clear();
        while (echo.hasRemaining()) {
          if (ch.read(echo) < 0) {
            throw new IOException("closed before the echo on connection " + i);
          }
        }
        if (echo.get(0) != (byte) 0x81 || echo.get(1) != 2 || echo.get(2) != 'h') {
          throw new IOException("wrong echo on connection " + i);
        }
      }
      out.accept(
          String.format(
              Locale.ROOT, "HELD %d in %.1fs", held.size(), (System.nanoTime() - start) / 1e9));
      // Hold until the runner closes our stdin (or kills us), or --hold passes (0: at once, and
      // stdin is not read).
      if (hold > 0) {
        TimedWindows.holdUntilStdinCloses(hold);
      }
    } finally {
      for (SocketChannel ch : held) {
        ch.close();
      }
    }
    out.accept("DONE");
    return 0;
  }
}
