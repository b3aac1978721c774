package dev.wharf.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The load generator: one platform thread, one selector, plain java.nio, the same code against
 * every server. Run it pinned to the core the server is not on.
 *
 * <ul>
 *   <li>{@code echo}: {@code --conns N} connections each keep {@code --window K} messages of {@code
 *       --size S} bytes in flight, sending one more each time one comes back whole. K = 1 is
 *       ping-pong (latency), K = 16 pipelined (throughput).
 *   <li>{@code accept}: {@code --concurrency C} connections at a time each connect, write 1 byte,
 *       read it back and close with SO_LINGER 0 (RST, so the client keeps no TIME-WAIT and the
 *       ephemeral ports are not used up), as fast as they can.
 *   <li>{@code idle}: opens {@code --conns N} connections, exchanges 1 byte on each (so the server
 *       has really accepted and served each), prints {@code HELD N} and holds them until its
 *       standard input closes or {@code --hold} seconds pass.
 * </ul>
 *
 * <p>{@code echo} and {@code accept} run {@code --warmup} seconds, then {@code --repeats} windows
 * of {@code --duration} seconds each, printing {@code MEASURE_START r} when a window opens and a
 * {@code RESULT key=value ...} line when it closes. Echoed bytes are checked: the stream carries
 * byte {@code offset % 251}, and the first and last byte of every read are compared.
 */
public final class LoadGen {
  private static final int PATTERN = 251;

  private String mode = "echo";
  private String host = "127.0.0.1";
  private int port = 7007;
  private int conns = 100;
  private int size = 64;
  private int window = 1;
  private int concurrency = 32;
  private double warmup = 15;
  private double duration = 20;
  private int repeats = 3;
  private double hold = 600;

  private LoadGen() {}

  public static void main(String[] args) throws Exception {
    var gen = new LoadGen();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        gen.mode = a;
        continue;
      }
      String v = args[++i];
      switch (a) {
        case "--host" -> gen.host = v;
        case "--port" -> gen.port = Integer.parseInt(v);
        case "--conns" -> gen.conns = Integer.parseInt(v);
        case "--size" -> gen.size = Integer.parseInt(v);
        case "--window" -> gen.window = Integer.parseInt(v);
        case "--concurrency" -> gen.concurrency = Integer.parseInt(v);
        case "--warmup" -> gen.warmup = Double.parseDouble(v);
        case "--duration" -> gen.duration = Double.parseDouble(v);
        case "--repeats" -> gen.repeats = Integer.parseInt(v);
        case "--hold" -> gen.hold = Double.parseDouble(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    switch (gen.mode) {
      case "echo" -> gen.echo();
      case "accept" -> gen.accept();
      case "idle" -> gen.idle();
      default -> throw new IllegalArgumentException("unknown mode " + gen.mode);
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  // ---- echo ----

  /** One echo connection's state. */
  private static final class EchoConn {
    final SocketChannel channel;
    SelectionKey key;

    /** Bytes of issued messages not yet written. */
    long toWrite;

    long written;
    long received;
    long completed;

    /** Issue times of the messages in flight, oldest at {@code head}. */
    final long[] issued;

    int head;
    int inFlight;

    EchoConn(SocketChannel channel, int window) {
      this.channel = channel;
      this.issued = new long[window];
    }
  }

  private void echo() throws IOException {
    // The pattern repeats every 251 bytes; writes start at written % 251 so the stream is
    // byte(offset) = offset % 251 whatever the write boundaries.
    int sourceSize = Math.max(256 * 1024, size * window) + PATTERN;
    ByteBuffer source = ByteBuffer.allocateDirect(sourceSize);
    for (int i = 0; i < sourceSize; i++) {
      source.put(i, (byte) (i % PATTERN));
    }
    ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);
    var address = new InetSocketAddress(host, port);
    Selector selector = Selector.open();
    List<EchoConn> all = new ArrayList<>();
    for (int i = 0; i < conns; i++) {
      SocketChannel ch = SocketChannel.open();
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.connect(address);
      ch.configureBlocking(false);
      var c = new EchoConn(ch, window);
      c.key = ch.register(selector, SelectionKey.OP_READ, c);
      all.add(c);
    }
    var windows = new TimedWindows(warmup, duration, repeats, LoadGen::say);
    long errors = 0;
    long start = System.nanoTime();
    for (EchoConn c : all) {
      for (int k = 0; k < window; k++) {
        issue(c, start);
      }
      errors += flushConn(c, source);
    }
    windows.start(
        start, String.format(Locale.ROOT, "conns=%d size=%d window=%d", conns, size, window));
    long msgs = 0;
    long bytes = 0;
    while (true) {
      long now = System.nanoTime();
      if (windows.due(now)) {
        if (windows.measuring()) {
          double secs = windows.seconds(now);
          say(
              String.format(
                  Locale.ROOT,
                  "RESULT mode=echo rep=%d conns=%d size=%d window=%d secs=%.3f msgs=%d"
                      + " msgsPerSec=%.1f mbPerSec=%.2f %s errors=%d",
                  windows.rep(),
                  conns,
                  size,
                  window,
                  secs,
                  msgs,
                  msgs / secs,
                  bytes / secs / 1e6,
                  windows.latency(),
                  errors));
        }
        if (!windows.next(now)) {
          break;
        }
        msgs = 0;
        bytes = 0;
      }
      selector.select(50);
      var ready = selector.selectedKeys();
      for (SelectionKey key : ready) {
        EchoConn c = (EchoConn) key.attachment();
        if (!key.isValid()) {
          continue;
        }
        if (key.isReadable()) {
          long before = c.completed;
          long bytesBefore = c.received;
          errors += readConn(c, readBuffer, windows);
          msgs += c.completed - before;
          bytes += c.received - bytesBefore;
        }
        if (key.isValid() && (key.isWritable() || c.toWrite > 0)) {
          errors += flushConn(c, source);
        }
      }
      ready.clear();
    }
    for (EchoConn c : all) {
      c.channel.close();
    }
    selector.close();
    say("DONE errors=" + errors);
  }

  private void issue(EchoConn c, long now) {
    c.issued[(c.head + c.inFlight) % window] = now;
    c.inFlight++;
    c.toWrite += size;
  }

  /** Writes what the connection has to send; returns errors (0 or 1). */
  private static int flushConn(EchoConn c, ByteBuffer source) {
    try {
      while (c.toWrite > 0) {
        int from = (int) (c.written % PATTERN);
        int n = (int) Math.min(c.toWrite, source.capacity() - PATTERN);
        source.limit(from + n).position(from);
        int w = c.channel.write(source);
        c.written += w;
        c.toWrite -= w;
        if (w < n) {
          break;
        }
      }
      int ops = c.toWrite > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
      if (c.key.interestOps() != ops) {
        c.key.interestOps(ops);
      }
      return 0;
    } catch (IOException e) {
      System.err.println("write failed: " + e);
      c.key.cancel();
      return 1;
    }
  }

  /** Reads what came back, completes messages and issues new ones; returns errors seen. */
  private int readConn(EchoConn c, ByteBuffer buffer, TimedWindows windows) {
    int errors = 0;
    try {
      while (true) {
        buffer.clear();
        int n = c.channel.read(buffer);
        if (n < 0) {
          System.err.println("server closed a connection");
          c.key.cancel();
          return errors + 1;
        }
        if (n == 0) {
          break;
        }
        if (buffer.get(0) != (byte) (c.received % PATTERN)
            || buffer.get(n - 1) != (byte) ((c.received + n - 1) % PATTERN)) {
          errors++;
        }
        c.received += n;
        long done = c.received / size;
        if (done > c.completed) {
          long now = System.nanoTime();
          while (c.completed < done) {
            windows.record(c.issued[c.head], now);
            c.head = (c.head + 1) % window;
            c.inFlight--;
            c.completed++;
            issue(c, now);
          }
        }
        if (n < buffer.capacity()) {
          break;
        }
      }
    } catch (IOException e) {
      System.err.println("read failed: " + e);
      c.key.cancel();
      errors++;
    }
    return errors;
  }

  // ---- accept ----

  private void accept() throws IOException {
    var address = new InetSocketAddress(host, port);
    Selector selector = Selector.open();
    ByteBuffer one = ByteBuffer.allocateDirect(1);
    ByteBuffer in = ByteBuffer.allocateDirect(64);
    var windows = new TimedWindows(warmup, duration, repeats, LoadGen::say);
    long[] errors = {0};
    int missing = concurrency;
    windows.start(System.nanoTime(), "concurrency=" + concurrency);
    long done = 0;
    while (true) {
      while (missing > 0 && startAttempt(selector, address, one, errors)) {
        missing--;
      }
      long now = System.nanoTime();
      if (windows.due(now)) {
        if (windows.measuring()) {
          double secs = windows.seconds(now);
          say(
              String.format(
                  Locale.ROOT,
                  "RESULT mode=accept rep=%d concurrency=%d secs=%.3f conns=%d connsPerSec=%.1f"
                      + " %s errors=%d",
                  windows.rep(),
                  concurrency,
                  secs,
                  done,
                  done / secs,
                  windows.latency(),
                  errors[0]));
        }
        if (!windows.next(now)) {
          break;
        }
        done = 0;
      }
      selector.select(50);
      var ready = selector.selectedKeys();
      for (SelectionKey key : ready) {
        var ch = (SocketChannel) key.channel();
        long began = (Long) key.attachment();
        try {
          if (key.isConnectable()) {
            ch.finishConnect();
            one.clear();
            ch.write(one.put(0, (byte) 42));
            key.interestOps(SelectionKey.OP_READ);
          } else if (key.isReadable()) {
            in.clear();
            int n = ch.read(in);
            if (n == 0) {
              continue;
            }
            if (n != 1 || in.get(0) != (byte) 42) {
              errors[0]++;
            }
            ch.close(); // SO_LINGER 0: RST, no TIME-WAIT.
            windows.record(began, System.nanoTime());
            done++;
            missing++;
          }
        } catch (IOException e) {
          errors[0]++;
          ch.close();
          missing++;
        }
      }
      ready.clear();
    }
    selector.close();
    say("DONE errors=" + errors[0]);
  }

  /** Starts one connect; false (counted as an error) if it failed at once. */
  private static boolean startAttempt(
      Selector selector, InetSocketAddress address, ByteBuffer one, long[] errors)
      throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.SO_LINGER, 0);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      long began = System.nanoTime();
      if (ch.connect(address)) {
        one.clear();
        ch.write(one.put(0, (byte) 42));
        ch.register(selector, SelectionKey.OP_READ, began);
      } else {
        ch.register(selector, SelectionKey.OP_CONNECT, began);
      }
      return true;
    } catch (IOException e) {
      errors[0]++;
      ch.close();
      return false;
    }
  }

  // ---- idle ----

  private void idle() throws IOException, InterruptedException {
    var address = new InetSocketAddress(host, port);
    List<SocketChannel> held = new ArrayList<>(conns);
    ByteBuffer buffer = ByteBuffer.allocate(1);
    long start = System.nanoTime();
    for (int i = 0; i < conns; i++) {
      SocketChannel ch = SocketChannel.open(address);
      buffer.clear().put((byte) 7).flip();
      ch.write(buffer);
      buffer.clear();
      if (ch.read(buffer) != 1) {
        throw new IOException("no echo on connection " + i);
      }
      held.add(ch);
    }
    say(
        String.format(
            Locale.ROOT, "HELD %d in %.1fs", held.size(), (System.nanoTime() - start) / 1e9));
    // Hold until the runner closes our stdin (or kills us), or --hold passes.
    TimedWindows.holdUntilStdinCloses(hold);
    for (SocketChannel ch : held) {
      ch.close();
    }
    say("DONE");
  }
}
