package dev.wharf.websocket;

import dev.wharf.websocket.codec.Opcodes;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A message sent as it is written, in fragments (RFC 6455 §5.4): the first frame has the message's
 * opcode, the rest are continuations, and {@link #close} sends the final one. Each fragment waits
 * for the previous to be taken, so the writer goes at the peer's pace.
 *
 * <p>For one writing thread, which may block.
 */
final class MessageOutputStream extends OutputStream {
  static final int FRAGMENT_BYTES = 16 * 1024;

  private final WebSocketSession session;
  private final int opcode;
  private final byte[] buffer = new byte[FRAGMENT_BYTES];
  private int count;
  private boolean started;
  private boolean closed;
  private volatile boolean connectionClosed;

  MessageOutputStream(WebSocketSession session, int opcode) {
    this.session = session;
    this.opcode = opcode;
  }

  @Override
  public void write(int b) throws IOException {
    if (count == buffer.length) {
      sendFragment(false);
    }
    checkOpen();
    buffer[count++] = (byte) b;
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, bytes.length);
    checkOpen();
    while (len > 0) {
      if (count == buffer.length) {
        sendFragment(false);
      }
      int n = Math.min(len, buffer.length - count);
      System.arraycopy(bytes, off, buffer, count, n);
      count += n;
      off += n;
      len -= n;
    }
  }

  /** Sends what is buffered as a fragment (if anything is). */
  @Override
  public void flush() throws IOException {
    checkOpen();
    if (count > 0) {
      sendFragment(false);
    }
  }

  /** Sends the final fragment, ending the message. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    sendFragment(true);
  }

  void connectionClosed() {
    connectionClosed = true;
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("message stream already closed");
    }
    if (connectionClosed) {
      throw new IOException("the WebSocket closed");
    }
  }

  private void sendFragment(boolean fin) throws IOException {
    ByteBuffer payload = ByteBuffer.wrap(java.util.Arrays.copyOf(buffer, count));
    count = 0;
    CompletableFuture<Void> sent =
        session.sendFragment(this, started ? Opcodes.CONTINUATION : opcode, fin, payload);
    started = true;
    try {
      sent.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while sending");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }
}
