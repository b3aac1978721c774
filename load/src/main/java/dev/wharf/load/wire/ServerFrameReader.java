package dev.wharf.load.wire;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Splits the bytes a server sends (unmasked frames, RFC 6455 §5.2) into messages, in whatever
 * pieces they arrive: tells its {@link Sink} when a message starts, hands it each piece of payload
 * as a slice of the read buffer, and says when the message ends. Control frames are skipped but for
 * Pong, which is told (the answer to a client's Ping), and Close, which is an error unless the sink
 * decides otherwise (the servers never close first in a benchmark).
 */
public final class ServerFrameReader {
  /** Receives one connection's messages. */
  public interface Sink {
    /** A data message starts: its opcode (text or binary) and whether it is compressed (RSV1). */
    void messageStart(int opcode, boolean compressed) throws IOException;

    /** Payload bytes of the current message, between the buffer's position and limit. */
    void messageData(ByteBuffer data) throws IOException;

    /** The current message's last frame ended. */
    void messageEnd() throws IOException;

    /** A Pong frame ended (RFC 6455 §5.5.3: the answer to a Ping). */
    default void pong() throws IOException {}

    /** The server sent Close: an error unless the sink says otherwise by returning. */
    default void closeReceived() throws IOException {
      throw new IOException("the server sent Close");
    }
  }

  private final Sink sink;
  private final byte[] header = new byte[10];
  private int have;
  private int need = 2;
  private boolean inPayload;
  private long payloadLeft;
  private boolean control;
  private int opcode;
  private boolean fin;
  private boolean inMessage;

  public ServerFrameReader(Sink sink) {
    this.sink = sink;
  }

  /** Consumes all of {@code in}. */
  public void read(ByteBuffer in) throws IOException {
    while (in.hasRemaining()) {
      if (!inPayload) {
        while (have < need && in.hasRemaining()) {
          header[have++] = in.get();
        }
        if (have < need) {
          return;
        }
        if (need == 2) {
          if ((header[1] & 0x80) != 0) {
            throw new IOException("a server frame is masked");
          }
          int len7 = header[1] & 0x7f;
          if (len7 == 126 || len7 == 127) {
            need = len7 == 126 ? 4 : 10;
            continue;
          }
        }
        startFrame();
        if (payloadLeft == 0) {
          endFrame();
        }
      } else {
        int n = (int) Math.min(in.remaining(), payloadLeft);
        int limit = in.limit();
        int end = in.position() + n;
        in.limit(end);
        if (!control) {
          sink.messageData(in);
        }
        in.limit(limit).position(end);
        payloadLeft -= n;
        if (payloadLeft == 0) {
          endFrame();
        }
      }
    }
  }

  private void startFrame() throws IOException {
    int b0 = header[0] & 0xff;
    fin = (b0 & 0x80) != 0;
    boolean rsv1 = (b0 & 0x40) != 0;
    opcode = b0 & 0x0f;
    int len7 = header[1] & 0x7f;
    payloadLeft =
        len7 < 126
            ? len7
            : len7 == 126
                ? ((header[2] & 0xff) << 8) | (header[3] & 0xff)
                : ByteBuffer.wrap(header, 2, 8).getLong();
    have = 0;
    need = 2;
    inPayload = true;
    control = opcode >= 8;
    if (opcode == WsClientCodec.OP_CLOSE) {
      sink.closeReceived();
    }
    if (control) {
      return; // A control frame: nothing to count.
    } else if (opcode == WsClientCodec.OP_CONTINUATION) {
      if (!inMessage) {
        throw new IOException("a continuation frame outside a message");
      }
    } else {
      if (inMessage) {
        throw new IOException("a new message before the last one ended");
      }
      inMessage = true;
      sink.messageStart(opcode, rsv1);
    }
  }

  private void endFrame() throws IOException {
    inPayload = false;
    if (opcode == WsClientCodec.OP_PONG) {
      sink.pong();
    } else if (!control && fin) {
      inMessage = false;
      sink.messageEnd();
    }
  }
}
