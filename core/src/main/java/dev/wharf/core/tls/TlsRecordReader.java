package dev.wharf.core.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The reading half of a TLS connection: records in from the transport, plaintext out to the
 * application, in the order they came.
 *
 * <p>Arriving bytes are copied once into the thread's heap buffer and decrypted there in place (the
 * JDK's AES-GCM runs its intrinsic over arrays; over a direct buffer it copies 512 bytes at a time
 * through arrays it allocates for every record). Several records' plaintext goes to the application
 * in one call. Only the start of a record that has not fully arrived is kept between reads, in a
 * pooled segment; an idle connection keeps nothing.
 *
 * <p>Confined to the connection's loop.
 */
final class TlsRecordReader {

  /** What the reader tells the connection. */
  interface Events {
    /** Decrypted bytes, lent for the call. */
    void plaintext(ByteBuffer data);

    /**
     * A handshake message was read ({@code status} is the engine's answer to it); false stops
     * reading, as the connection is closing.
     */
    boolean handshakeMessage(HandshakeStatus status);

    /** The peer's close_notify: nothing more will come. */
    void closeNotify();

    /**
     * Whether an alert record ends the peer's input unread: true once a TLS 1.2 (or older)
     * handshake is done. See {@link #decrypt}.
     */
    boolean alertEndsInput();

    void failed(SSLException error);

    /** Whether to stop reading: the connection closed, or the peer's close_notify came. */
    boolean stopped();
  }

  /** The content type of an alert record (RFC 5246 §6.2.1), in the clear before TLS 1.3. */
  private static final byte ALERT = 21;

  private final SSLEngine engine;
  private final TlsBuffers buffers;
  private final Events events;

  /** The start of a record that has not fully arrived; null when there is none. */
  private ByteBuffer partialRecord;

  TlsRecordReader(SSLEngine engine, TlsBuffers buffers, Events events) {
    this.engine = engine;
    this.buffers = buffers;
    this.events = events;
  }

  /** Reads what arrived, all of it: decrypted, kept as a partial record, or dropped when done. */
  void received(ByteBuffer data) {
    ByteBuffer records = buffers.borrowCiphertext();
    try {
      if (partialRecord != null) {
        records.put(partialRecord.flip());
        buffers.segments.release(partialRecord);
        partialRecord = null;
      }
      while (!events.stopped()) {
        int n = Math.min(data.remaining(), records.remaining());
        records.put(records.position(), data, data.position(), n);
        records.position(records.position() + n);
        data.position(data.position() + n);
        records.flip();
        decrypt(records);
        records.compact(); // What is left is the start of a record still on its way.
        if (!data.hasRemaining()) {
          break;
        }
        if (!records.hasRemaining()) {
          events.failed(new SSLException("a TLS record larger than the protocol allows"));
          break;
        }
      }
      if (records.position() > 0 && !events.stopped()) {
        keep(records.flip());
      }
      data.position(data.limit()); // Nothing after close_notify is anyone's to read.
    } finally {
      buffers.giveBack(records);
    }
  }

  /** Gives back the partial record, if any; the connection closed. */
  void release() {
    if (partialRecord != null) {
      buffers.segments.release(partialRecord);
      partialRecord = null;
    }
  }

  private void keep(ByteBuffer start) {
    if (start.remaining() > TlsBuffers.SEGMENT_SIZE) {
      events.failed(new SSLException("a TLS record larger than the protocol allows"));
      return;
    }
    partialRecord = buffers.segments.acquire();
    partialRecord.put(start);
  }

  /**
   * Decrypts the whole records in {@code source} and hands on their plaintext, several records at a
   * time; handshake messages go to the connection as they come. Stops at a record that has not
   * fully arrived, which stays in {@code source}.
   *
   * <p>A TLS 1.2 alert record is not given to the engine: after a close_notify the JDK's engine
   * answers with its own and refuses every write after it, as RFC 5246 §7.2.1 says ("discarding any
   * pending writes"), so the answers to requests sent before it would be lost. OpenSSL, and so
   * nginx, keeps writing until the application shuts down. So the alert, whose type is in the
   * clear, ends the peer's input as a FIN would: a close_notify, or a fatal alert after which the
   * peer sends nothing more either. The application answers; its close sends our close_notify.
   */
  private void decrypt(ByteBuffer source) {
    int room = engine.getSession().getApplicationBufferSize();
    ByteBuffer plaintext = buffers.borrowPlaintext(room);
    int idleRounds = 0;
    try {
      while (source.hasRemaining() && !events.stopped()) {
        if (source.get(source.position()) == ALERT && events.alertEndsInput()) {
          deliver(plaintext);
          events.closeNotify();
          return;
        }
        SSLEngineResult result;
        try {
          result = engine.unwrap(source, plaintext);
        } catch (SSLException e) {
          deliver(plaintext);
          events.failed(e);
          return;
        }
        switch (result.getStatus()) {
          case BUFFER_UNDERFLOW -> {
            return; // The rest of the record is still on its way.
          }
          case BUFFER_OVERFLOW -> {
            if (plaintext.position() == 0) {
              // A bigger record than the session said: go on in a buffer that fits.
              buffers.giveBack(plaintext);
              room = engine.getSession().getApplicationBufferSize();
              plaintext = buffers.borrowPlaintext(2 * room);
            }
            deliver(plaintext);
            continue;
          }
          case CLOSED -> {
            deliver(plaintext);
            events.closeNotify();
            return;
          }
          case OK -> {}
        }
        if (result.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
          deliver(plaintext); // Data before a handshake message keeps its place.
          if (!events.handshakeMessage(result.getHandshakeStatus())) {
            return;
          }
        } else if (plaintext.remaining() < room) {
          deliver(plaintext);
        }
        if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
          // Nothing moved: the engine had handshake work first (done above); try once more.
          if (++idleRounds > 2) {
            return;
          }
        } else {
          idleRounds = 0;
        }
      }
    } finally {
      deliver(plaintext);
      buffers.giveBack(plaintext);
    }
  }

  private void deliver(ByteBuffer plaintext) {
    if (plaintext.position() > 0 && !events.stopped()) {
      plaintext.flip();
      events.plaintext(plaintext);
    }
    plaintext.clear();
  }
}
