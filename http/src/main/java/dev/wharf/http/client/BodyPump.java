package dev.wharf.http.client;

import dev.wharf.core.Connection;
import dev.wharf.http.codec.ChunkedEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Sends a {@link RequestBody.Streamed} body: a virtual thread reads the source a chunk at a time
 * and hands each chunk to the connection's loop, reading the next only once the loop has queued it
 * and the connection is writable, so at most one chunk and the write queue's high watermark are
 * held however large the body is. A body of unknown length goes chunked (RFC 9112 §7.1).
 *
 * <p>{@link #writabilityChanged}, {@link #isFinished} and {@link #cancel} are called on the
 * connection's loop.
 */
final class BodyPump {
  private static final int CHUNK = 64 * 1024;

  private final Connection connection;
  private final RequestBody.Streamed body;
  private final Consumer<IOException> failed;
  private final Semaphore credit = new Semaphore(0); // the loop's leave to read the next chunk
  private boolean waitingForWritable; // loop only
  private boolean finished; // loop only
  private final Thread thread;

  /**
   * Starts sending; on the loop. {@code failed} is told, on the loop, when the source cannot be
   * read or yields another length than announced.
   */
  BodyPump(Connection connection, RequestBody.Streamed body, Consumer<IOException> failed) {
    this.connection = connection;
    this.body = body;
    this.failed = failed;
    this.thread = Thread.ofVirtual().name("wharf-http-body").start(this::pump);
  }

  private void pump() {
    boolean chunked = body.length() < 0;
    long read = 0;
    try (ReadableByteChannel channel = body.source().open()) {
      ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
      while (true) {
        buffer.clear();
        int n = channel.read(buffer);
        if (n < 0) {
          break;
        }
        read += n;
        if (!chunked && read > body.length()) {
          throw new IOException("the body has more than the " + body.length() + " bytes announced");
        }
        buffer.flip();
        // The loop copies the chunk into its queue before it gives the credit back, so the same
        // buffer serves every chunk.
        connection.execute(() -> writeOnLoop(buffer, chunked));
        credit.acquire();
      }
      if (!chunked && read < body.length()) {
        throw new IOException(
            "the body ended after " + read + " of the " + body.length() + " bytes announced");
      }
      connection.execute(
          () -> {
            if (chunked) {
              connection.write(ChunkedEncoder.lastChunk());
            }
            finished = true;
          });
    } catch (IOException e) {
      connection.execute(() -> failed.accept(e));
    } catch (InterruptedException e) {
      // Cancelled: the exchange is over.
    }
  }

  private void writeOnLoop(ByteBuffer chunk, boolean chunked) {
    if (!connection.isOpen()) {
      return; // closed() cancels the pump.
    }
    if (chunked && chunk.hasRemaining()) {
      connection.write(ChunkedEncoder.chunkStart(chunk.remaining()));
      connection.write(chunk);
      connection.write(ChunkedEncoder.chunkEnd());
    } else {
      connection.write(chunk);
    }
    if (connection.isWritable()) {
      credit.release();
    } else {
      waitingForWritable = true;
    }
  }

  void writabilityChanged(boolean writable) {
    if (writable && waitingForWritable) {
      waitingForWritable = false;
      credit.release();
    }
  }

  /** True once the whole body is queued on the connection. */
  boolean isFinished() {
    return finished;
  }

  void cancel() {
    thread.interrupt();
  }
}
