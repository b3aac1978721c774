package dev.wharf.core.tls;

import dev.wharf.core.internal.BufferPool;
import java.nio.ByteBuffer;

/**
 * The buffers TLS works in, one set per event-loop thread, so that a connection holds none while it
 * is idle and encrypting or decrypting allocates nothing:
 *
 * <ul>
 *   <li>a scratch buffer that records are decrypted into and lent to the application, as the loop
 *       lends its read buffer to a plain protocol;
 *   <li>a scratch buffer that records are encrypted into, several at a time, before they go to the
 *       transport's write queue in one piece;
 *   <li>a scratch buffer that files are read into before they are encrypted;
 *   <li>a pool of segments for the few bytes a connection must keep between events: the start of a
 *       record that has not fully arrived, and plaintext waiting to be coalesced into a record.
 * </ul>
 *
 * <p>A scratch buffer is borrowed and given back; if it is already out (a callback that reached
 * another TLS connection on the same thread, say), the borrower gets a fresh one instead.
 */
final class TlsBuffers {
  /** Big enough for the largest TLS record (2^14 + 2048 + 5 bytes) and more. */
  static final int SEGMENT_SIZE = 20 * 1024;

  /** Records the scratch buffers hold; larger batches mean fewer hand-offs and system calls. */
  private static final int RECORDS_PER_BATCH = 4;

  private static final int RECORD_BYTES = 16_709;
  private static final int FILE_CHUNK = 64 * 1024;

  private static final ThreadLocal<TlsBuffers> LOCAL = ThreadLocal.withInitial(TlsBuffers::new);

  /** A loop's whole read (64 KiB) and a record's start kept from the one before. */
  private static final int CIPHERTEXT_BYTES = 64 * 1024 + SEGMENT_SIZE;

  final BufferPool segments = new BufferPool(SEGMENT_SIZE, 256);
  private final ByteBuffer ciphertext = ByteBuffer.allocate(CIPHERTEXT_BYTES);
  private final ByteBuffer plaintext = ByteBuffer.allocate(RECORDS_PER_BATCH * RECORD_BYTES);
  private final ByteBuffer records = ByteBuffer.allocate(RECORDS_PER_BATCH * RECORD_BYTES);
  private final ByteBuffer file = ByteBuffer.allocateDirect(FILE_CHUNK);
  private boolean ciphertextOut;
  private boolean plaintextOut;
  private boolean recordsOut;
  private boolean fileOut;

  static TlsBuffers get() {
    return LOCAL.get();
  }

  /** A cleared heap buffer to gather arriving records in. */
  ByteBuffer borrowCiphertext() {
    if (!ciphertextOut) {
      ciphertextOut = true;
      return ciphertext.clear();
    }
    return ByteBuffer.allocate(CIPHERTEXT_BYTES);
  }

  /** A cleared buffer to decrypt into, with room for at least {@code minimum} bytes. */
  ByteBuffer borrowPlaintext(int minimum) {
    if (!plaintextOut && plaintext.capacity() >= minimum) {
      plaintextOut = true;
      return plaintext.clear();
    }
    return ByteBuffer.allocate(Math.max(minimum, RECORD_BYTES));
  }

  /** A cleared buffer to encrypt into, with room for at least {@code minimum} bytes. */
  ByteBuffer borrowRecords(int minimum) {
    if (!recordsOut && records.capacity() >= minimum) {
      recordsOut = true;
      return records.clear();
    }
    return ByteBuffer.allocate(Math.max(minimum, RECORD_BYTES));
  }

  /** A cleared buffer to read a file into. */
  ByteBuffer borrowFile() {
    if (!fileOut) {
      fileOut = true;
      return file.clear();
    }
    return ByteBuffer.allocateDirect(FILE_CHUNK);
  }

  void giveBack(ByteBuffer buffer) {
    if (buffer == ciphertext) {
      ciphertextOut = false;
    } else if (buffer == plaintext) {
      plaintextOut = false;
    } else if (buffer == records) {
      recordsOut = false;
    } else if (buffer == file) {
      fileOut = false;
    }
  }
}
