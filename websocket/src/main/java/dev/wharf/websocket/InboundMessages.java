package dev.wharf.websocket;

import dev.wharf.core.MemoryBudget;
import dev.wharf.core.Pipe;
import dev.wharf.websocket.codec.MessageInflater;
import dev.wharf.websocket.codec.Opcodes;
import dev.wharf.websocket.codec.Utf8Validator;
import dev.wharf.websocket.codec.WebSocketException;
import dev.wharf.websocket.codec.WebSocketFrameReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns frames into messages for the listener: gathers fragments (or feeds a stream), inflates
 * compressed messages, checks text as UTF-8 as it arrives (failing at the first bad byte, RFC 6455
 * §8.1), enforces the message size limit, and passes control frames to the session.
 *
 * <p>A message that arrives in one frame within one read is handed on straight from the read
 * buffer; fragmented, split or compressed messages are gathered into an array borrowed from the
 * loop's {@link GatherBuffers} and given back once the message has been delivered (the listener's
 * callback has returned, or the session has copied the message for a listener thread), so an idle
 * connection holds none and a busy loop allocates none per message.
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

    /**
     * A binary message. The buffer is valid only for the call (it is the loop's read buffer or an
     * array lent until the call returns): copy it for a callback that runs later.
     */
    void deliverBinary(ByteBuffer data);

    /** A pipe to the listener's thread for the message that begins; null to gather it. */
    Pipe startStream(MessageType type);

    /** The stream's pipe asks the loop to stop reading until its reader drains it. */
    void streamFull();
  }

  /**
   * How many times its compressed size a compressed message is first guessed to be: text and JSON
   * usually inflate 3-10 times, and a guess too large costs nothing with borrowed arrays.
   */
  private static final int COMPRESSION_GUESS = 4;

  private Session session; // Rebound when a loop's spare passes to another session.
  private final long maxMessageBytes;
  private final MemoryBudget budget;
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
  private Pipe stream;

  InboundMessages(Session session, long maxMessageBytes, MemoryBudget budget) {
    this.session = session;
    this.maxMessageBytes = maxMessageBytes;
    this.budget = budget;
  }

  long maxMessageBytes() {
    return maxMessageBytes;
  }

  MemoryBudget budget() {
    return budget;
  }

  void rebind(Session value) {
    this.session = value;
  }

  /** Between messages, with nothing borrowed and no inflater: it may serve another session. */
  boolean isAtRest() {
    return type == null
        && gathered == null
        && stream == null
        && controlPayload == null
        && inflater == null;
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
      if (stream.offer(copy)) {
        session.streamFull();
      }
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
      // An uncompressed final frame says how long the message is; otherwise guess, and grow.
      long expected =
          frameFin && !compressed
              ? frameLength
              : Math.max(frameLength * (compressed ? COMPRESSION_GUESS : 1), n);
      gathered = borrow((int) Math.min(Math.max(expected, n), maxMessageBytes));
      gatheredLength = 0;
    } else if (gatheredLength + n > gathered.length) {
      long grown = Math.max((long) gathered.length * 2, (long) gatheredLength + n);
      byte[] larger = borrow((int) Math.min(grown, maxMessageBytes));
      System.arraycopy(gathered, 0, larger, 0, gatheredLength);
      giveBack(gathered);
      gathered = larger;
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
      // The String copies the bytes, so a borrowed array does to read them out of the buffer.
      byte[] bytes = buffers().take(n);
      try {
        chunk.get(chunk.position(), bytes, 0, n);
        text = new String(bytes, 0, n, StandardCharsets.UTF_8);
      } finally {
        buffers().giveBack(bytes);
      }
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
    // Let go of the array first: a listener that closes the connection from its callback must
    // not have closed() give it back while it is still being read.
    byte[] message = gathered;
    int length = gatheredLength;
    gathered = null;
    gatheredLength = 0;
    MessageType messageType = type;
    type = null;
    try {
      if (stream != null) {
        stream.finish();
        stream = null;
      } else if (!discard && !delivered) {
        deliverGathered(messageType, message, length);
      }
    } finally {
      if (message != null) {
        giveBack(message);
      }
    }
  }

  /**
   * Hands on a gathered message. Binary goes in a buffer whose capacity is the message, over the
   * borrowed array: the session either runs the callback before returning (the listener was told
   * the buffer is lent for the call) or copies it for the listener's thread.
   */
  private void deliverGathered(MessageType messageType, byte[] message, int length) {
    if (messageType == MessageType.TEXT) {
      session.deliverText(
          length == 0 ? "" : new String(message, 0, length, StandardCharsets.UTF_8), length);
    } else {
      session.deliverBinary(
          length == 0 ? ByteBuffer.allocate(0) : ByteBuffer.wrap(message, 0, length).slice());
    }
  }

  /**
   * An array for a message in progress, counted against the budget shared by all connections before
   * it is taken: hundreds of peers each sending most of a large message and never its end would
   * otherwise fill the heap (close 1009 instead).
   */
  private byte[] borrow(int minBytes) {
    int length = GatherBuffers.lengthFor(minBytes);
    if (!budget.tryReserve(length)) {
      // The close reason must fit a control frame: the figures go to the log, not the peer.
      throw WebSocketException.tooBig("server short of memory for messages in progress");
    }
    return buffers().take(minBytes);
  }

  private void giveBack(byte[] array) {
    buffers().giveBack(array);
    budget.release(array.length);
  }

  private static GatherBuffers buffers() {
    return GatherBuffers.forThisThread();
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
    if (gathered != null) {
      // A message cut short (the peer left, or broke the rules) gives its array back.
      giveBack(gathered);
      gathered = null;
    }
    if (inflater != null) {
      inflater.close();
    }
  }
}
