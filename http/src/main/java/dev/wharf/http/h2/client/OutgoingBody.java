package dev.wharf.http.h2.client;

import dev.wharf.core.Connection;
import dev.wharf.http.client.RequestBody;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * A request body as a stream sends it, a DATA frame's worth at a time, as far as the flow-control
 * windows allow: bytes in memory, a file read as it goes, or a channel read on a virtual thread a
 * few chunks ahead of the connection (so a body of any size takes constant memory, and a slow peer
 * slows the reading). Read on the connection's loop.
 */
abstract sealed class OutgoingBody {

  /**
   * Moves up to {@code max} bytes into {@code out}.
   *
   * @return how many; 0 when none are ready yet (a channel still being read)
   */
  abstract int read(ByteBuffer out, int max) throws IOException;

  /** Whether every byte has been read. */
  abstract boolean isDone();

  /** The exchange is over: stop reading. */
  void cancel() {}

  /**
   * The body to send for {@code body}.
   *
   * @param ready told on the loop when a channel's bytes (or its end) are ready
   * @param failed told on the loop when the channel cannot be read or has another length than said
   */
  static OutgoingBody of(
      RequestBody body, Connection connection, Runnable ready, Consumer<IOException> failed)
      throws IOException {
    return switch (body) {
      case RequestBody.Bytes bytes -> new InMemory(ByteBuffer.wrap(bytes.bytes()));
      case RequestBody.FileContent file ->
          new FromFile(FileChannel.open(file.path()), file.length());
      case RequestBody.Streamed streamed -> new FromChannel(streamed, connection, ready, failed);
    };
  }

  /** Bytes held in memory. */
  static final class InMemory extends OutgoingBody {
    private final ByteBuffer bytes;

    InMemory(ByteBuffer bytes) {
      this.bytes = bytes;
    }

    @Override
    int read(ByteBuffer out, int max) {
      int n = Math.min(max, bytes.remaining());
      out.put(out.position(), bytes, bytes.position(), n);
      out.position(out.position() + n);
      bytes.position(bytes.position() + n);
      return n;
    }

    @Override
    boolean isDone() {
      return !bytes.hasRemaining();
    }
  }

  /** A file's first {@code length} bytes, read as the windows allow. */
  static final class FromFile extends OutgoingBody {
    private final FileChannel file;
    private long left;

    FromFile(FileChannel file, long length) {
      this.file = file;
      this.left = length;
    }

    @Override
    int read(ByteBuffer out, int max) throws IOException {
      int want = (int) Math.min(max, left);
      ByteBuffer slice = out.slice(out.position(), want);
      while (slice.hasRemaining()) {
        if (file.read(slice) < 0) {
          throw new IOException("the file ended " + left + " bytes early");
        }
      }
      out.position(out.position() + want);
      left -= want;
      if (left == 0) {
        file.close();
      }
      return want;
    }

    @Override
    boolean isDone() {
      return left == 0;
    }

    @Override
    void cancel() {
      try {
        file.close();
      } catch (IOException e) {
        // Nothing more to read from it either way.
      }
    }
  }

  /**
   * A channel read on a virtual thread, at most {@link #AHEAD} chunks ahead of what the stream has
   * sent.
   */
  static final class FromChannel extends OutgoingBody {
    private static final int CHUNK = 16 * 1024;
    private static final int AHEAD = 4;

    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>(); // loop only
    private final Semaphore credit = new Semaphore(AHEAD);
    private final Thread thread;
    private boolean ended; // loop only

    FromChannel(
        RequestBody.Streamed body,
        Connection connection,
        Runnable ready,
        Consumer<IOException> failed) {
      this.thread =
          Thread.ofVirtual()
              .name("wharf-h2-body")
              .start(() -> pump(body, connection, ready, failed));
    }

    private void pump(
        RequestBody.Streamed body,
        Connection connection,
        Runnable ready,
        Consumer<IOException> failed) {
      long read = 0;
      try (ReadableByteChannel channel = body.source().open()) {
        while (true) {
          credit.acquire();
          ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
          int n = channel.read(chunk);
          if (n < 0) {
            break;
          }
          read += n;
          if (body.length() >= 0 && read > body.length()) {
            throw new IOException(
                "the body has more than the " + body.length() + " bytes announced");
          }
          chunk.flip();
          connection.execute(
              () -> {
                chunks.add(chunk);
                ready.run();
              });
        }
        if (body.length() >= 0 && read < body.length()) {
          throw new IOException(
              "the body ended after " + read + " of the " + body.length() + " bytes announced");
        }
        connection.execute(
            () -> {
              ended = true;
              ready.run();
            });
      } catch (IOException e) {
        connection.execute(() -> failed.accept(e));
      } catch (InterruptedException e) {
        // Cancelled: the exchange is over.
      }
    }

    @Override
    int read(ByteBuffer out, int max) {
      int total = 0;
      while (total < max && !chunks.isEmpty()) {
        ByteBuffer chunk = chunks.peek();
        int n = Math.min(max - total, chunk.remaining());
        out.put(out.position(), chunk, chunk.position(), n);
        out.position(out.position() + n);
        chunk.position(chunk.position() + n);
        total += n;
        if (!chunk.hasRemaining()) {
          chunks.poll();
          credit.release();
        }
      }
      return total;
    }

    @Override
    boolean isDone() {
      return ended && chunks.isEmpty();
    }

    @Override
    void cancel() {
      thread.interrupt();
    }
  }
}
