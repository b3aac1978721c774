package dev.wharf.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The idle-connection load: opens {@code --conns N} blocking connections one after another, has
 * each exchange one greeting (so the server has really accepted and served each), prints {@code
 * HELD N in Ss}, holds them until standard input closes (the runner's signal) or {@code --hold}
 * seconds pass (0: not at all, and standard input is not read), then closes them and prints {@code
 * DONE}.
 *
 * <p>Called on the generator's thread; it starts one daemon thread that waits for standard input to
 * close.
 */
public final class IdleConnections {
  /** What one new connection does before it is held; throws if the server did not answer right. */
  public interface Greeting {
    void exchange(SocketChannel channel, int index) throws IOException;
  }

  private IdleConnections() {}

  /** Opens, greets, holds and closes the connections; returns the errors (0: failures throw). */
  public static long hold(LoadOptions options, Consumer<String> out, Greeting greeting)
      throws IOException, InterruptedException {
    List<SocketChannel> held = new ArrayList<>(options.conns());
    long start = System.nanoTime();
    try {
      for (int i = 0; i < options.conns(); i++) {
        SocketChannel ch = SocketChannel.open(options.address());
        held.add(ch);
        greeting.exchange(ch, i);
      }
      out.accept(
          String.format(
              Locale.ROOT, "HELD %d in %.1fs", held.size(), (System.nanoTime() - start) / 1e9));
      if (options.hold() > 0) {
        untilStdinCloses(options.hold());
      }
    } finally {
      for (SocketChannel ch : held) {
        ch.close();
      }
    }
    out.accept("DONE");
    return 0;
  }

  /** Blocks until stdin closes or {@code hold} seconds pass. */
  private static void untilStdinCloses(double hold) throws InterruptedException {
    long deadline = System.nanoTime() + TimedWindows.nanos(hold);
    var stdinClosed = new Thread(IdleConnections::waitForStdinEof);
    stdinClosed.setDaemon(true);
    stdinClosed.start();
    while (stdinClosed.isAlive() && System.nanoTime() < deadline) {
      stdinClosed.join(200);
    }
  }

  private static void waitForStdinEof() {
    try {
      InputStream in = System.in;
      while (in.read() >= 0) {
        // Ignore input; only EOF matters.
      }
    } catch (IOException ignored) {
      // Treat as closed.
    }
  }
}
