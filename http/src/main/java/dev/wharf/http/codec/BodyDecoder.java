package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.fields.Tokens;
import java.nio.ByteBuffer;

/**
 * Reads one message body as its framing says (RFC 9112 §6-7): a fixed length, chunks with trailers,
 * or everything until the connection closes (responses only). Body bytes are handed on as slices of
 * the input. Shared by the request and response decoders; not thread-safe.
 */
final class BodyDecoder {
  /** Receives body bytes, a slice of the input valid for the call. */
  interface Chunks {
    void body(ByteBuffer chunk);
  }

  private enum State {
    FIXED,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    TRAILERS,
    UNTIL_CLOSE,
    DONE
  }

  private final LineReader line;
  private final FieldSection section;
  private State state = State.DONE;
  private long remaining;
  private long total;
  private long maxBytes;
  private Headers trailers = Headers.EMPTY;

  BodyDecoder(LineReader line, FieldSection section) {
    this.line = line;
    this.section = section;
  }

  void startFixed(long length) {
    remaining = length;
    trailers = Headers.EMPTY;
    state = length == 0 ? State.DONE : State.FIXED;
  }

  void startChunked(long maxBodyBytes) {
    maxBytes = maxBodyBytes;
    total = 0;
    trailers = Headers.EMPTY;
    state = State.CHUNK_SIZE;
  }

  void startUntilClose() {
    trailers = Headers.EMPTY;
    state = State.UNTIL_CLOSE;
  }

  boolean isDone() {
    return state == State.DONE;
  }

  /** True if the body runs until the connection closes, so that an EOF ends it cleanly. */
  boolean endsAtClose() {
    return state == State.UNTIL_CLOSE;
  }

  Headers trailers() {
    return trailers;
  }

  /** Consumes body bytes from {@code input}; true once the body is complete. */
  boolean decode(ByteBuffer input, Chunks sink) {
    while (input.hasRemaining() && state != State.DONE) {
      switch (state) {
        case FIXED -> {
          int n = (int) Math.min(remaining, input.remaining());
          pass(input, n, sink);
          remaining -= n;
          if (remaining == 0) {
            state = State.DONE;
          }
        }
        case CHUNK_SIZE -> readChunkSize(input);
        case CHUNK_DATA -> {
          int n = (int) Math.min(remaining, input.remaining());
          pass(input, n, sink);
          remaining -= n;
          if (remaining == 0) {
            state = State.CHUNK_DATA_END;
          }
        }
        case CHUNK_DATA_END -> readChunkDataEnd(input);
        case TRAILERS -> {
          if (section.read(line, input, "trailer", false)) {
            trailers = section.build();
            state = State.DONE;
          }
        }
        case UNTIL_CLOSE -> pass(input, input.remaining(), sink);
        case DONE -> throw new IllegalStateException("unreachable");
      }
    }
    return state == State.DONE;
  }

  private static void pass(ByteBuffer input, int n, Chunks sink) {
    ByteBuffer slice = input.slice(input.position(), n);
    input.position(input.position() + n);
    sink.body(slice);
  }

  /** RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF, chunk-size = 1*HEXDIG. */
  private void readChunkSize(ByteBuffer input) {
    if (!line.read(input, 1024)) {
      if (line.overflowed()) {
        throw MessageParseException.malformed("chunk size line too long");
      }
      return;
    }
    byte[] bytes = line.bytes();
    int length = line.length();
    long size = 0;
    int digits = 0;
    int i = 0;
    for (; i < length; i++) {
      int digit = Character.digit(bytes[i], 16);
      if (digit < 0) {
        break;
      }
      if (++digits > 15) {
        throw new MessageParseException(
            MessageParseException.Kind.BODY_TOO_LARGE, "chunk size too large");
      }
      size = size * 16 + digit;
    }
    if (digits == 0) {
      throw MessageParseException.malformed("malformed chunk size");
    }
    // What follows the size may only be extensions (ignored) after optional whitespace.
    int rest = i;
    while (rest < length && (bytes[rest] == ' ' || bytes[rest] == '\t')) {
      rest++;
    }
    if (rest < length && bytes[rest] != ';') {
      throw MessageParseException.malformed("malformed chunk size");
    }
    for (int k = rest; k < length; k++) {
      if (!Tokens.isFieldValueByte(bytes[k])) {
        throw MessageParseException.malformed("invalid character in chunk extension");
      }
    }
    line.reset();
    if (size == 0) {
      section.reset();
      state = State.TRAILERS;
      return;
    }
    if (total + size > maxBytes) {
      throw new MessageParseException(
          MessageParseException.Kind.BODY_TOO_LARGE, "body exceeds " + maxBytes + " bytes");
    }
    total += size;
    remaining = size;
    state = State.CHUNK_DATA;
  }

  /** The CRLF after chunk data must be exactly that. */
  private void readChunkDataEnd(ByteBuffer input) {
    if (!line.read(input, 0)) {
      if (line.overflowed()) {
        throw MessageParseException.malformed("chunk data longer than its size");
      }
      return;
    }
    line.reset();
    state = State.CHUNK_SIZE;
  }
}
