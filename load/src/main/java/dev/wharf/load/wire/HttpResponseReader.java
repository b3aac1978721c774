package dev.wharf.load.wire;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Splits the bytes a server sends on one HTTP/1.1 connection into responses (RFC 9112), in whatever
 * pieces they arrive, and tells its {@link Sink} the status of each complete one. It reads only
 * what a load generator needs: the status, the body's framing (Content-Length, chunked, or until
 * close) and {@code Connection: close}; bodies are skipped, never copied. Interim 1xx responses are
 * skipped, but 101, after which the connection is no longer HTTP: {@link #read} returns right after
 * its head.
 *
 * <p>Not thread-safe: one connection's thread owns it. Allocates nothing once made.
 */
public final class HttpResponseReader {
  /** Receives one connection's responses. */
  public interface Sink {
    /**
     * A whole response has arrived; {@code close}: the server will close the connection after it.
     */
    void response(int status, boolean close) throws IOException;
  }

  /** The longest status or header line accepted (nginx's large_client_header_buffers: 8 KiB). */
  public static final int MAX_LINE = 8192;

  private enum State {
    STATUS_LINE,
    HEADER_LINE,
    BODY,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILER_LINE,
    UNTIL_CLOSE
  }

  private static final byte[] CONTENT_LENGTH = ascii("content-length");
  private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
  private static final byte[] CONNECTION = ascii("connection");

  private final Sink sink;
  private final byte[] line = new byte[MAX_LINE];
  private int lineLength;
  private State state = State.STATUS_LINE;
  private boolean noBody;
  private int status;
  private long contentLength;
  private boolean chunked;
  private boolean close;
  private long left;

  public HttpResponseReader(Sink sink) {
    this.sink = sink;
  }

  /** Whether the responses answer HEAD requests, which have no body whatever the headers say. */
  public void answersHead(boolean head) {
    this.noBody = head;
  }

  /** Back to the start of a response, for a new connection. */
  public void reset() {
    state = State.STATUS_LINE;
    lineLength = 0;
  }

  /** Whether a response is under way (some of it has come, not all). */
  public boolean isPartial() {
    return state != State.STATUS_LINE || lineLength > 0;
  }

  /**
   * The server closed the connection: completes a response whose body runs until the close; throws
   * if a response was cut short.
   */
  public void closed() throws IOException {
    if (state == State.UNTIL_CLOSE) {
      state = State.STATUS_LINE;
      sink.response(status, true);
    } else if (isPartial()) {
      throw new IOException("the connection closed in the middle of a response");
    }
  }

  /** Consumes {@code in}, all of it, or up to the end of a 101 response's head. */
  public void read(ByteBuffer in) throws IOException {
    while (in.hasRemaining()) {
      switch (state) {
        case STATUS_LINE, HEADER_LINE, CHUNK_SIZE, CHUNK_END, TRAILER_LINE -> {
          if (!takeLine(in)) {
            return;
          }
          if (lineDone() && status == 101) {
            state = State.STATUS_LINE;
            sink.response(101, false);
            return;
          }
        }
        case BODY, CHUNK_DATA -> {
          int n = (int) Math.min(in.remaining(), left);
          in.position(in.position() + n);
          left -= n;
          if (left == 0) {
            if (state == State.BODY) {
              complete();
            } else {
              state = State.CHUNK_END;
            }
          }
        }
        case UNTIL_CLOSE -> in.position(in.limit());
      }
    }
  }

  /** Adds bytes to the line up to its LF; true if the line is whole (without CR LF). */
  private boolean takeLine(ByteBuffer in) throws IOException {
    int p = in.position();
    int limit = in.limit();
    while (p < limit) {
      byte b = in.get(p++);
      if (b == '\n') {
        in.position(p);
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
          lineLength--;
        }
        return true;
      }
      if (lineLength == MAX_LINE) {
        throw new IOException("a response line longer than " + MAX_LINE + " bytes");
      }
      line[lineLength++] = b;
    }
    in.position(p);
    return false;
  }

  /** Acts on the whole line; true when a response head ended with it. */
  private boolean lineDone() throws IOException {
    int length = lineLength;
    lineLength = 0;
    switch (state) {
      case STATUS_LINE -> {
        // RFC 9112 §4: HTTP-version SP 3DIGIT SP [reason-phrase]
        if (length < 12
            || line[0] != 'H'
            || line[4] != '/'
            || line[8] != ' '
            || !isDigit(line[9])
            || !isDigit(line[10])
            || !isDigit(line[11])) {
          throw new IOException("not an HTTP/1.1 status line");
        }
        status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        contentLength = -1;
        chunked = false;
        close = line[5] == '1' && line[7] == '0'; // HTTP/1.0 closes unless told otherwise
        state = State.HEADER_LINE;
        return false;
      }
      case HEADER_LINE -> {
        if (length == 0) {
          headEnded();
          return true;
        }
        header(length);
        return false;
      }
      case CHUNK_SIZE -> {
        left = chunkSize(length);
        state = left == 0 ? State.TRAILER_LINE : State.CHUNK_DATA;
        return false;
      }
      case CHUNK_END -> {
        if (length != 0) {
          throw new IOException("no CRLF after a chunk's data");
        }
        state = State.CHUNK_SIZE;
        return false;
      }
      case TRAILER_LINE -> {
        if (length == 0) {
          complete();
        }
        return false;
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void header(int length) throws IOException {
    int colon = indexOf(':', length);
    if (colon <= 0) {
      throw new IOException("a header line without a name and colon");
    }
    if (nameIs(CONTENT_LENGTH, colon)) {
      long n = 0;
      int i = skipSpaces(colon + 1, length);
      int end = trimEnd(length);
      if (i == end) {
        throw new IOException("an empty Content-Length");
      }
      for (; i < end; i++) {
        if (!isDigit(line[i]) || n > Long.MAX_VALUE / 10 - 10) {
          throw new IOException("a bad Content-Length");
        }
        n = n * 10 + line[i] - '0';
      }
      contentLength = n;
    } else if (nameIs(TRANSFER_ENCODING, colon)) {
      chunked |= valueContains("chunked", colon + 1, length);
    } else if (nameIs(CONNECTION, colon)) {
      if (valueContains("close", colon + 1, length)) {
        close = true;
      } else if (valueContains("keep-alive", colon + 1, length)) {
        close = false;
      }
    }
  }

  private void headEnded() throws IOException {
    if (status >= 100 && status < 200 && status != 101) {
      state = State.STATUS_LINE; // Interim (RFC 9110 §15.2): the final response follows.
      return;
    }
    // RFC 9112 §6.3: the order in which the body's length is decided.
    if (status == 101 || noBody || status == 204 || status == 304) {
      complete();
    } else if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (contentLength >= 0) {
      left = contentLength;
      if (left == 0) {
        complete();
      } else {
        state = State.BODY;
      }
    } else {
      close = true;
      state = State.UNTIL_CLOSE;
    }
  }

  private void complete() throws IOException {
    state = State.STATUS_LINE;
    if (status != 101) {
      sink.response(status, close);
    }
  }

  private long chunkSize(int length) throws IOException {
    long n = 0;
    int digits = 0;
    for (int i = 0; i < length; i++) {
      int d = Character.digit(line[i], 16);
      if (d < 0) {
        if (line[i] == ';' || line[i] == ' ' || line[i] == '\t') {
          break; // chunk extensions, ignored (RFC 9112 §7.1.1)
        }
        throw new IOException("a bad chunk size");
      }
      if (++digits > 15) {
        throw new IOException("a chunk size too large");
      }
      n = n * 16 + d;
    }
    if (digits == 0) {
      throw new IOException("an empty chunk size");
    }
    return n;
  }

  private int indexOf(char c, int length) {
    for (int i = 0; i < length; i++) {
      if (line[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private boolean nameIs(byte[] lowerName, int colon) {
    if (colon != lowerName.length) {
      return false;
    }
    for (int i = 0; i < colon; i++) {
      if ((line[i] | 0x20) != lowerName[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code token} (lower case) is in the value, case-insensitively. */
  private boolean valueContains(String token, int from, int length) {
    outer:
    for (int i = from; i + token.length() <= length; i++) {
      for (int k = 0; k < token.length(); k++) {
        if ((line[i + k] | 0x20) != token.charAt(k)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private int skipSpaces(int i, int length) {
    while (i < length && (line[i] == ' ' || line[i] == '\t')) {
      i++;
    }
    return i;
  }

  private int trimEnd(int length) {
    while (length > 0 && (line[length - 1] == ' ' || line[length - 1] == '\t')) {
      length--;
    }
    return length;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
