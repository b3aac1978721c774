package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.fields.FieldValues;
import dev.wharf.http.fields.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads a {@code multipart/form-data} body (RFC 7578, framed as RFC 2046 §5.1) part by part, in
 * constant memory: each part's content is a stream that ends at the next boundary, so a part of any
 * size can go straight to a file.
 *
 * <pre>{@code
 * var parts = new MultipartReader(body, MultipartReader.boundary(contentType).orElseThrow());
 * for (var part = parts.next(); part.isPresent(); part = parts.next()) {
 *   part.get().content().transferTo(out);
 * }
 * }</pre>
 *
 * <p>Malformed input throws {@link MalformedMultipartException}. Not thread-safe.
 */
public final class MultipartReader {
  /** One part: its header fields, and its content up to the next boundary. */
  public record Part(Headers headers, InputStream content) {
    /** The {@code name} parameter of Content-Disposition, if any. */
    public Optional<String> name() {
      return dispositionParameter("name");
    }

    /**
     * The file name of Content-Disposition, if the part is a file: {@code filename*} (RFC 8187)
     * when given, else {@code filename} (which browsers send as raw UTF-8).
     */
    public Optional<String> filename() {
      return dispositionParameter("filename*")
          .flatMap(FieldValues::decodeExtValue)
          .or(() -> dispositionParameter("filename"));
    }

    private Optional<String> dispositionParameter(String parameter) {
      return headers
          .first("Content-Disposition")
          .flatMap(value -> FieldValues.parameter(value, parameter));
    }
  }

  /** The input breaks multipart framing. */
  public static final class MalformedMultipartException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedMultipartException(String message) {
      super(message);
    }
  }

  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_HEADER_COUNT = 32;
  private static final int BUFFER_BYTES = 64 * 1024;

  private final InputStream in;

  /** CRLF, two dashes and the boundary: what ends every part's content. */
  private final byte[] delimiter;

  private final byte[] buffer;
  private int start;
  private int end;
  private boolean eof;
  private boolean started;
  private boolean finished;
  private PartContent open;

  public MultipartReader(InputStream in, String boundary) {
    if (boundary.isEmpty() || boundary.length() > 70) {
      throw new IllegalArgumentException("a boundary has 1 to 70 characters (RFC 2046)");
    }
    this.in = in;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    this.buffer = new byte[BUFFER_BYTES + delimiter.length];
    // The first boundary has no CRLF before it; pretend it had, so one delimiter fits all.
    buffer[0] = '\r';
    buffer[1] = '\n';
    end = 2;
  }

  /** The boundary parameter of a {@code multipart/form-data} Content-Type. */
  public static Optional<String> boundary(String contentType) {
    FieldValues.Element type = FieldValues.element(contentType);
    if (!type.value().equalsIgnoreCase("multipart/form-data")) {
      return Optional.empty();
    }
    return type.parameter("boundary").filter(b -> !b.isEmpty() && b.length() <= 70);
  }

  /**
   * The next part, or empty after the closing boundary. Skips what the previous part's content
   * stream left unread.
   */
  public Optional<Part> next() throws IOException {
    if (open != null) {
      open.skipRest();
      open = null;
    } else if (!started) {
      started = true;
      new PartContent().skipRest(); // The preamble, to be ignored.
    }
    if (finished) {
      return Optional.empty();
    }
    // After a delimiter: "--" closes the body; otherwise optional whitespace, then CRLF.
    if (!ensure(2)) {
      throw new MalformedMultipartException("body ends after a boundary");
    }
    if (buffer[start] == '-' && buffer[start + 1] == '-') {
      finished = true;
      return Optional.empty(); // What follows is an epilogue, to be ignored.
    }
    skipLineEnd();
    Headers headers = readHeaders();
    open = new PartContent();
    return Optional.of(new Part(headers, open));
  }

  private void skipLineEnd() throws IOException {
    int spaces = 0;
    while (ensure(1) && (buffer[start] == ' ' || buffer[start] == '\t') && spaces++ < 64) {
      start++;
    }
    if (!ensure(2) || buffer[start] != '\r' || buffer[start + 1] != '\n') {
      throw new MalformedMultipartException("no CRLF after a boundary");
    }
    start += 2;
  }

  private Headers readHeaders() throws IOException {
    var headers = Headers.builder();
    int total = 0;
    int count = 0;
    while (true) {
      int lineEnd = indexOfCrlf();
      while (lineEnd < 0) {
        if (end - start > MAX_HEADER_BYTES || !fill()) {
          throw new MalformedMultipartException("part headers too long or cut off");
        }
        lineEnd = indexOfCrlf();
      }
      int length = lineEnd - start;
      total += length + 2;
      if (total > MAX_HEADER_BYTES || ++count > MAX_HEADER_COUNT) {
        throw new MalformedMultipartException("part headers too large");
      }
      if (length == 0) {
        start += 2;
        return headers.build();
      }
      String line = new String(buffer, start, length, StandardCharsets.UTF_8);
      start = lineEnd + 2;
      int colon = line.indexOf(':');
      if (colon <= 0 || !Tokens.isToken(line.substring(0, colon))) {
        throw new MalformedMultipartException("malformed part header line");
      }
      headers.add(line.substring(0, colon), line.substring(colon + 1).strip());
    }
  }

  private int indexOfCrlf() {
    for (int i = start; i + 1 < end; i++) {
      if (buffer[i] == '\r' && buffer[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** True when at least {@code n} bytes are buffered, reading more as needed. */
  private boolean ensure(int n) throws IOException {
    while (end - start < n) {
      if (!fill()) {
        return false;
      }
    }
    return true;
  }

  /** Reads more input after what is buffered; false at the end of input. */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (start > 0) {
      System.arraycopy(buffer, start, buffer, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buffer.length) {
      throw new IllegalStateException("buffer full"); // Callers never let it fill up.
    }
    int n = in.read(buffer, end, buffer.length - end);
    if (n < 0) {
      eof = true;
      return false;
    }
    end += n;
    return true;
  }

  /** Where the delimiter starts in the buffered bytes, or -1. */
  private int indexOfDelimiter() {
    byte first = delimiter[0];
    for (int i = start, last = end - delimiter.length; i <= last; i++) {
      if (buffer[i] == first
          && Arrays.equals(buffer, i, i + delimiter.length, delimiter, 0, delimiter.length)) {
        return i;
      }
    }
    return -1;
  }

  /** One part's content: the bytes up to the next delimiter, which it consumes at its end. */
  private final class PartContent extends InputStream {
    private boolean done;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      java.util.Objects.checkFromIndexSize(offset, length, into.length);
      if (done) {
        return -1;
      }
      if (length == 0) {
        return 0;
      }
      while (true) {
        int at = indexOfDelimiter();
        if (at == start) {
          start += delimiter.length;
          done = true;
          return -1;
        }
        // Without a delimiter in sight, all but its length minus one bytes are surely content.
        int safe = at >= 0 ? at - start : end - start - (delimiter.length - 1);
        if (safe > 0) {
          int n = Math.min(safe, length);
          System.arraycopy(buffer, start, into, offset, n);
          start += n;
          return n;
        }
        if (!fill()) {
          throw new MalformedMultipartException("body ends before the closing boundary");
        }
      }
    }

    void skipRest() throws IOException {
      byte[] scratch = new byte[8192];
      while (read(scratch, 0, scratch.length) >= 0) {
        // Discarding.
      }
    }
  }
}
