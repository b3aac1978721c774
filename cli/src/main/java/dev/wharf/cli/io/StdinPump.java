package dev.wharf.cli.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads stdin on its own daemon thread, in chunks as they come, and hands each to a {@link Sink}
 * that sends it. Reading waits until the sink is ready (connected, writable), so nothing is read
 * that could not be sent, as netcat does.
 */
public final class StdinPump {
  /** Read size for stdin over a stream: large chunks, few system calls. */
  public static final int STREAM_CHUNK = 64 * 1024;

  /** Takes stdin's chunks, on the pump's thread. */
  public interface Sink {
    /** Blocks until a chunk can be sent (a peer is there and can take it). */
    void awaitReady() throws InterruptedException;

    /** Sends a chunk the sink may keep. */
    void accept(byte[] chunk) throws InterruptedException;

    /** Stdin ended (or failed to read, as {@code error} says, else null). */
    void ended(IOException error);
  }

  private final InputStream in;
  private final int chunkSize;
  private final Sink sink;

  public StdinPump(InputStream in, int chunkSize, Sink sink) {
    this.in = in;
    this.chunkSize = chunkSize;
    this.sink = sink;
  }

  public void start() {
    Thread.ofPlatform().name("wharf-stdin").daemon(true).start(this::run);
  }

  private void run() {
    byte[] buffer = new byte[chunkSize];
    try {
      while (true) {
        sink.awaitReady();
        int n = in.read(buffer);
        if (n < 0) {
          sink.ended(null);
          return;
        }
        if (n > 0) {
          sink.accept(Arrays.copyOf(buffer, n));
        }
      }
    } catch (IOException e) {
      sink.ended(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
