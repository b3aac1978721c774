package dev.wharf.websocket;

import dev.wharf.websocket.codec.MessageInflater;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.Utf8Validator;
import dev.wharf.websocket.codec.WebSocketFrameReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns frames into messages for the listener: gathers fragments (or feeds a stream), inflates
 * compressed messages, checks text as UTF-8 as it arrives (failing at the first bad byte, RFC 6455
 * §8.1), enforces the message size limit, and passes control frames to the session.
 *
 * <p>A message that arrives in one frame within one read is handed on straight from the read
 * buffer; only fragmented or split messages are gathered into an array, which is dropped when the
 * message ends so an idle connection holds none.
 *
 * <p>Runs on the connection's loop.
 */
final class InboundMessages implements WebSocketFrameReader.Sink, MessageInflater.Output {

  /** What the session does with control frames and finished messages. */
  interface Session {
    void control(int opcode, byte[] payload);

    /** Whether data should be dropped (we are closing). */
    boolean discardingData();

    void deliverText(String text, long bytes);

    /** A binary message; the buffer is valid only for the call. */
    void deliverBinary(ByteBuffer data);

    MessageInputStream startStream(MessageType type);

    void streamed(long bufferedBytes);
  }

  private final Session session;
  private final long maxMessageBytes;
  private MessageInflater inflater;
  private Utf8Validator validator;

  // The frame being read.
  private boolean control;
  private int frameOpcode;
  private boolean frameFin;
  private long frameLength;
  private byte[] controlPayload;
  private int controlLength;

  // The message being read.
  private MessageType type;
  private boolean compressed;
  private boolean discard;
  private boolean delivered;
  private long messageBytes;
  private byte[] gathered;
  private int gatheredLength;
  private MessageInputStream stream;

  InboundMessages(Session session, long maxMessageBytes) {
    this.session = session;
    this.maxMessageBytes = maxMessageBytes;
  }

  void inflateWith(MessageInflater value) {
    this.inflater = value;
  }

  @Override
  public void frameStart(int opcode, boolean fin, boolean rsv1, long length) {
    frameOpcode = opcode;
    frameFin = fin;
    frameLength = length;
    control = Opcodes.isControl(opcode);
    if (control) {
      controlPayload = new byte[(int) length];
      controlLength = 0;
      return;
    }
    if (opcode != Opcodes.CONTINUATION) {
      beginMessage(opcode == Opcodes.TEXT ? MessageType.TEXT : MessageType.BINARY, rsv1);
    }
  }

  private void beginMessage(MessageType messageType, boolean isCompressed) {
    type = messageType;
    compressed = isCompressed;
    messageBytes = 0;
    delivered = false;
    discard = session.discardingData();
    if (type == MessageType.TEXT) {
      if (validator == null) {
        validator = new Utf8Validator();
      }
      validator.reset();
    }
    if (!discard) {
      stream = session.startStream(type);
    }
  }

  @Override
  public void framePayload(ByteBuffer payload) {
    if (control) {
      int n = payload.remaining();
      payload.get(controlPayload, controlLength, n);
      controlLength += n;
      return;
    }
    if (compressed) {
      inflater.inflate(payload, this);
    } else {
      data(payload, frameOpcode != Opcodes.CONTINUATION && frameFin);
    }
  }

  @Override
  public void inflated(ByteBuffer chunk) {
    data(chunk, false);
  }

  /** Message bytes; {@code wholeFrame} when this may be the whole of a one-frame message. */
  private void data(ByteBuffer chunk, boolean oneFrameMessage) {
    int n = chunk.remaining();
    messageBytes += n;
    // RFC 6455 §8.1: fail as soon as text stops being valid UTF-8, not at the message's end.
    if (type == MessageType.TEXT && !validator.validate(chunk)) {
      throw WebSocketException.invalidPayload("text message is not valid UTF-8");
    }
    if (discard) {
      return;
    }
    if (stream != null) {
      byte[] copy = new byte[n];
      chunk.get(chunk.position(), copy);
      session.streamed(stream.offer(copy));
      return;
    }
    if (messageBytes > maxMessageBytes) {
      throw WebSocketException.tooBig(
          "message of more than " + maxMessageBytes + " bytes exceeds the limit");
    }
    if (oneFrameMessage && gathered == null && n == frameLength) {
      // The whole message is here, in one frame: hand it on from the read buffer.
      if (type == MessageType.TEXT) {
        checkTextComplete();
        deliverText(chunk);
      } else {
        session.deliverBinary(chunk);
      }
      delivered = true;
      return;
    }
    gather(chunk, n);
  }

  private void gather(ByteBuffer chunk, int n) {
    if (gathered == null) {
      long expected = frameFin && !compressed ? frameLength : Math.max(frameLength, 256);
      gathered = new byte[(int) Math.min(Math.max(expected, n), maxMessageBytes)];
      gatheredLength = 0;
    } else if (gatheredLength + n > gathered.length) {
      long grown = Math.max((long) gathered.length * 2, (long) gatheredLength + n);
      gathered = java.util.Arrays.copyOf(gathered, (int) Math.min(grown, maxMessageBytes));
    }
    chunk.get(chunk.position(), gathered, gatheredLength, n);
    gatheredLength += n;
  }

  private void deliverText(ByteBuffer chunk) {
    int n = chunk.remaining();
    String text;
    if (chunk.hasArray()) {
      text =
          new String(
              chunk.array(), chunk.arrayOffset() + chunk.position(), n, StandardCharsets.UTF_8);
    } else {
      byte[] bytes = new byte[n];
      chunk.get(chunk.position(), bytes);
      text = new String(bytes, StandardCharsets.UTF_8);
    }
    session.deliverText(text, n);
  }

  @Override
  public void frameEnd() {
    if (control) {
      byte[] payload = controlPayload;
      controlPayload = null;
      session.control(frameOpcode, payload);
      return;
    }
    if (frameFin) {
      endMessage();
    }
  }

  private void endMessage() {
    if (compressed) {
      inflater.finish(this);
    }
    if (type == MessageType.TEXT) {
      checkTextComplete();
    }
    if (stream != null) {
      stream.finish();
      stream = null;
    } else if (!discard && !delivered) {
      if (type == MessageType.TEXT) {
        session.deliverText(
            new String(
                gathered == null ? new byte[0] : gathered,
                0,
                gatheredLength,
                StandardCharsets.UTF_8),
            gatheredLength);
      } else {
        session.deliverBinary(
            gathered == null
                ? ByteBuffer.allocate(0)
                : ByteBuffer.wrap(gathered, 0, gatheredLength));
      }
    }
    gathered = null;
    gatheredLength = 0;
    type = null;
  }

  private void checkTextComplete() {
    // RFC 6455 §8.1: a text message must end on a character boundary.
    if (!validator.isComplete()) {
      throw WebSocketException.invalidPayload("text message ends inside a UTF-8 sequence");
    }
  }

  /** The connection is going: fail a stream still being read, free the decompressor. */
  void closed(java.io.IOException why) {
    if (stream != null) {
      stream.fail(why);
      stream = null;
    }
    if (inflater != null) {
      inflater.close();
    }
  }
}
