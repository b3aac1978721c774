package dev.wharf.bench.ws;

import dev.wharf.bench.load.LoadLoop;
import dev.wharf.bench.load.SocketEchoConnection;
import dev.wharf.load.wire.ServerFrameReader;
import dev.wharf.load.wire.WsClientCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One WebSocket echo connection of {@link WsLoadGen}: its messages are {@link WsMessages} sent in
 * turn as masked client frames ({@link WsClientCodec}), compressed with permessage-deflate when the
 * server agreed to it; what comes back goes through a {@link ServerFrameReader}, is inflated when
 * compressed, and is checked against the message sent: type, length, and the first and last byte of
 * every piece.
 *
 * <p>Not thread-safe: the generator's thread owns it.
 */
final class WsEchoConnection extends SocketEchoConnection implements ServerFrameReader.Sink {
  /**
   * One mask key for every frame: servers cannot tell, and it lets the frames be made once. (RFC
   * 6455 wants unpredictable keys to protect intermediaries from browser scripts; no script here.)
   */
  static final int MASK_KEY = 0x5a3c_9e17;

  /** What all connections share: the messages, their frames, scratch buffers. */
  static final class Shared {
    final int opcode;
    final int size;
    final byte[][] messages;

    /** Without deflate: each message's whole masked frame, made once. */
    final byte[][] frames = new byte[WsMessages.COUNT][];

    final byte[] compressed;
    final ByteBuffer inflated = ByteBuffer.allocateDirect(64 * 1024);
    final ByteBuffer tail = ByteBuffer.wrap(WsClientCodec.DEFLATE_TAIL);

    Shared(int opcode, int size) {
      this.opcode = opcode;
      this.size = size;
      this.messages = WsMessages.make(size);
      this.compressed = new byte[size * 2 + 1024];
      for (int i = 0; i < frames.length; i++) {
        frames[i] = WsClientCodec.frame(opcode, false, messages[i], MASK_KEY);
      }
    }
  }

  private final Shared shared;
  private final ServerFrameReader reader = new ServerFrameReader(this);

  /** Frames issued and not yet written, between position and limit. */
  private final ByteBuffer pending;

  private long sent;
  private long received;
  private final Deflater deflater;
  private final Inflater inflater;
  private final boolean compressEachAfresh;
  private final boolean inflateEachAfresh;
  private boolean compressed;
  private long messageBytes;
  private boolean closed;

  WsEchoConnection(
      LoadLoop loop,
      int window,
      Shared shared,
      SocketChannel channel,
      WsClientCodec.Agreement agreement,
      ByteBuffer readBuffer)
      throws IOException {
    super(loop, window, channel, readBuffer);
    this.shared = shared;
    int maxFrame = WsClientCodec.headerLength(shared.compressed.length) + shared.compressed.length;
    this.pending = ByteBuffer.allocateDirect(window * maxFrame).flip();
    if (agreement.deflate()) {
      deflater = new Deflater(1, true);
      inflater = new Inflater(true);
      compressEachAfresh = agreement.clientNoContextTakeover();
      inflateEachAfresh = agreement.serverNoContextTakeover();
    } else {
      deflater = null;
      inflater = null;
      compressEachAfresh = false;
      inflateEachAfresh = false;
    }
  }

  @Override
  protected void send() {
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
      WsClientCodec.putFrame(pending, shared.opcode, true, buf, 0, n - 4, MASK_KEY);
    }
    pending.flip();
  }

  @Override
  protected ByteBuffer outbound() {
    return pending;
  }

  @Override
  protected void received(ByteBuffer data) throws IOException {
    reader.read(data);
  }

  @Override
  public void messageStart(int type, boolean rsv1) throws IOException {
    if (type != shared.opcode) {
      throw new IOException("message of opcode " + type + " back for " + shared.opcode);
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
    if (messageBytes != shared.size) {
      throw new IOException("message of " + messageBytes + " bytes back for " + shared.size);
    }
    received++;
    completed(System.nanoTime());
  }

  @Override
  public void close() {
    super.close();
    if (!closed && deflater != null) {
      deflater.end();
      inflater.end();
    }
    closed = true;
  }
}
