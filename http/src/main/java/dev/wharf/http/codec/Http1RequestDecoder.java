package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.RequestHead;
import dev.wharf.http.fields.Tokens;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns bytes into HTTP/1.1 requests (RFC 9112), incrementally: input may be split anywhere, and a
 * buffer may hold several pipelined requests. Body bytes are handed on as slices of the input, not
 * copied.
 *
 * <p>Strict where leniency enables request smuggling: Content-Length with Transfer-Encoding,
 * differing or malformed lengths, codings other than a final {@code chunked}, obs-fold, space
 * before a colon, a bare CR, a bare LF in chunked framing, invalid characters, a missing or
 * repeated Host. A bare LF ends the request line and field lines, as RFC 9112 §2.2 allows. A
 * violation throws {@link MessageParseException} naming what is wrong (the server answers with the
 * status for it), and the decoder then refuses all input.
 *
 * <pre>
 *   REQUEST_LINE -> HEADERS -+-> (no body) ------------------------------+-> REQUEST_LINE
 *                            +-> BODY (fixed, or chunks and trailers) ---+
 * </pre>
 *
 * <p>Not thread-safe: one per connection, used on its loop. Does no I/O and reads no clock.
 */
public final class Http1RequestDecoder {

  /** Receives what the decoder finds, in order. */
  public interface Sink {
    void head(RequestHead head);

    /** Part of the body; the buffer is a slice of the input, valid for the call. */
    void body(ByteBuffer chunk);

    /** The message ended; trailers are empty unless the body was chunked and had some. */
    void end(Headers trailers);

    /**
     * The most body this request may have, asked before {@link #head}; a larger declared length or
     * chunked body gets 413. Lets a server give some routes (uploads) a larger limit.
     */
    default long maxBodyBytes(RequestHead head, long configured) {
      return configured;
    }
  }

  private enum State {
    REQUEST_LINE,
    HEADERS,
    BODY,
    FAILED
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  /** Empty lines tolerated before a request line (RFC 9112 §2.2 asks us to ignore at least one). */
  private static final int MAX_LEADING_EMPTY_LINES = 4;

  /** The longest request line kept for comparing with the next one. */
  private static final int MAX_REMEMBERED_LINE = 512;

  private final HttpLimits limits;
  private final LineReader line;
  private State state = State.REQUEST_LINE;
  private String method;
  private String target;
  private String version;

  /** The last request's target, reused when the next asks for the same (polling, say). */
  private String previousTarget = "";

  /**
   * The last request line that parsed, byte for byte: a keep-alive or pipelining client sends the
   * same line again and again, and a line equal to it yields the same method, target and version
   * without being checked again (the bytes passed those checks). Any other line is parsed afresh.
   */
  private byte[] previousLine = new byte[0];

  private int previousLineLength; // 0: none (a request line is never empty here)

  /** The last request's head, handed out again for an equal one ({@link #headOf}). */
  private RequestHead previousHead;

  private final FieldSection section;
  private final BodyDecoder body;
  private int leadingEmptyLines;
  private boolean paused;

  public Http1RequestDecoder(HttpLimits limits) {
    this.limits = limits;
    this.line = new LineReader(Math.max(limits.maxRequestLineBytes(), limits.maxHeaderBytes()));
    this.section = new FieldSection(limits);
    this.body = new BodyDecoder(line, section);
  }

  /** True between messages: nothing of a next request has arrived. */
  public boolean isIdle() {
    return state == State.REQUEST_LINE && line.isEmpty();
  }

  /**
   * True between messages with nothing carried over to the next: not paused, not failed, no empty
   * lines counted before a request line. A decoder at rest may serve another connection next.
   */
  public boolean isAtRest() {
    return isIdle() && !paused && leadingEmptyLines == 0;
  }

  /** The limits it enforces. */
  public HttpLimits limits() {
    return limits;
  }

  /**
   * Stops {@link #decode} after the current event: the rest of the input stays in the buffer. A
   * server pauses after a request that asks to upgrade, since what follows may not be HTTP.
   */
  public void pause() {
    paused = true;
  }

  public void resume() {
    paused = false;
  }

  public boolean isPaused() {
    return paused;
  }

  /**
   * Consumes {@code input} (all of it unless {@link #pause paused}), reporting to {@code sink} as
   * requests take shape.
   *
   * @throws MessageParseException when the input breaks the protocol or a limit
   */
  public void decode(ByteBuffer input, Sink sink) {
    if (state == State.FAILED) {
      throw MessageParseException.malformed("the connection already failed");
    }
    try {
      while (input.hasRemaining() && !paused) {
        switch (state) {
          case REQUEST_LINE -> readRequestLine(input);
          case HEADERS -> readHeaderLine(input, sink);
          case BODY -> {
            if (body.decode(input, sink::body)) {
              finishMessage(sink, body.trailers());
            }
          }
          case FAILED -> throw new IllegalStateException("unreachable");
        }
      }
    } catch (RuntimeException e) { // Ours, or the sink's: either way this connection is done.
      state = State.FAILED;
      throw e;
    }
  }

  // ---- request line ----

  private void readRequestLine(ByteBuffer input) {
    int limit = limits.maxRequestLineBytes();
    // RFC 9112 §2.2: a bare LF may end the request line and field lines (not chunk lines).
    if (!line.read(input, limit, true)) {
      if (line.overflowed()) {
        throw new MessageParseException(
            MessageParseException.Kind.REQUEST_LINE_TOO_LONG,
            "request line exceeds " + limit + " bytes");
      }
      return;
    }
    if (line.length() == 0) {
      // RFC 9112 §2.2: ignore empty lines before the request line, but not without end.
      if (++leadingEmptyLines > MAX_LEADING_EMPTY_LINES) {
        throw MessageParseException.malformed("too many empty lines before the request line");
      }
      return;
    }
    if (!Arrays.equals(line.bytes(), 0, line.length(), previousLine, 0, previousLineLength)) {
      parseRequestLine(line.bytes(), line.length());
      remember(line.bytes(), line.length());
    } // Else method, target and version still hold what this very line parsed to.
    line.reset();
    section.reset();
    state = State.HEADERS;
  }

  private void remember(byte[] bytes, int length) {
    if (length > previousLine.length) {
      // Only lines that fit the usual size are kept; a longer one is parsed every time.
      if (length > MAX_REMEMBERED_LINE) {
        previousLineLength = 0;
        return;
      }
      previousLine = new byte[Math.max(length, 64)];
    }
    System.arraycopy(bytes, 0, previousLine, 0, length);
    previousLineLength = length;
  }

  /** RFC 9112 §3: request-line = method SP request-target SP HTTP-version. */
  private void parseRequestLine(byte[] bytes, int length) {
    int firstSpace = indexOf(bytes, 0, length, (byte) ' ');
    int secondSpace = checkRequestLine(bytes, 0, firstSpace, length);
    method = SharedStrings.method(bytes, firstSpace);
    int targetLength = secondSpace - firstSpace - 1;
    if (!SharedStrings.spells(bytes, firstSpace + 1, targetLength, previousTarget)) {
      previousTarget = new String(bytes, firstSpace + 1, targetLength, StandardCharsets.US_ASCII);
    }
    target = previousTarget;
    version = parseVersion(bytes, secondSpace + 1, length);
  }

  /**
   * One request line, without its line end, checked as {@link #decode} checks it: its method,
   * target and version, with no header fields. For a reader that sees the first line of a head
   * without the rest (a packet trace: the head may go on in the next segment, or never be
   * captured).
   *
   * @throws MessageParseException where {@link #decode} would refuse the line
   */
  public static RequestHead parseRequestLine(byte[] bytes, int from, int length) {
    int to = from + length;
    int firstSpace = indexOf(bytes, from, to, (byte) ' ');
    int secondSpace = checkRequestLine(bytes, from, firstSpace, to);
    return new RequestHead(
        new String(bytes, from, firstSpace - from, StandardCharsets.US_ASCII),
        new String(bytes, firstSpace + 1, secondSpace - firstSpace - 1, StandardCharsets.US_ASCII),
        parseVersion(bytes, secondSpace + 1, to),
        Headers.EMPTY);
  }

  /**
   * Checks the method and the target of the line from {@code from} to {@code to}, whose first space
   * is at {@code firstSpace} (-1: none), and returns where the space before its version is; the
   * version is checked by {@link #parseVersion}.
   */
  private static int checkRequestLine(byte[] bytes, int from, int firstSpace, int to) {
    int secondSpace = firstSpace < 0 ? -1 : indexOf(bytes, firstSpace + 1, to, (byte) ' ');
    if (firstSpace <= from
        || secondSpace < 0
        || indexOf(bytes, secondSpace + 1, to, (byte) ' ') >= 0) {
      throw MessageParseException.malformed("malformed request line");
    }
    for (int i = from; i < firstSpace; i++) {
      if (!Tokens.isTchar(bytes[i])) {
        throw MessageParseException.malformed("invalid character in method");
      }
    }
    if (secondSpace == firstSpace + 1) {
      throw MessageParseException.malformed("empty request target");
    }
    for (int i = firstSpace + 1; i < secondSpace; i++) {
      // RFC 3986 characters only: no controls, spaces or bytes above 0x7e in a target.
      if (bytes[i] <= 0x20 || bytes[i] >= 0x7f) {
        throw MessageParseException.malformed("invalid character in request target");
      }
    }
    return secondSpace;
  }

  /** RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive. */
  private static String parseVersion(byte[] bytes, int from, int to) {
    if (SharedStrings.spells(bytes, from, to - from, SharedStrings.HTTP_1_1)) {
      return SharedStrings.HTTP_1_1;
    }
    if (SharedStrings.spells(bytes, from, to - from, SharedStrings.HTTP_1_0)) {
      return SharedStrings.HTTP_1_0;
    }
    String text = new String(bytes, from, to - from, StandardCharsets.US_ASCII);
    if (text.length() != 8
        || !text.startsWith("HTTP/")
        || !Character.isDigit(text.charAt(5))
        || text.charAt(6) != '.'
        || !Character.isDigit(text.charAt(7))) {
      throw MessageParseException.malformed("malformed HTTP version");
    }
    throw new MessageParseException(
        MessageParseException.Kind.UNSUPPORTED_VERSION, "HTTP version not supported: " + text);
  }

  // ---- header and trailer sections ----

  private void readHeaderLine(ByteBuffer input, Sink sink) {
    if (section.read(line, input, "header", true)) {
      endOfHeaders(sink);
    }
  }

  private void endOfHeaders(Sink sink) {
    Headers headers = section.build();
    int hosts = section.hosts();
    // RFC 9112 §3.2: a 1.1 request without Host, or with more than one, gets 400.
    if (version.equals("HTTP/1.1") && hosts == 0) {
      throw MessageParseException.malformed("missing Host header");
    }
    if (hosts > 1) {
      throw MessageParseException.malformed("more than one Host header");
    }
    RequestHead head = headOf(headers);
    long maxBody = sink.maxBodyBytes(head, limits.maxBodyBytes());
    BodyFraming framing =
        section.hasFramingFields() ? BodyFraming.of(headers, version, maxBody) : BodyFraming.NONE;
    sink.head(head);
    switch (framing.kind()) {
      case NONE -> finishMessage(sink, Headers.EMPTY);
      case FIXED -> {
        body.startFixed(framing.length());
        if (body.isDone()) {
          finishMessage(sink, Headers.EMPTY);
        } else {
          state = State.BODY;
        }
      }
      case CHUNKED -> {
        body.startChunked(maxBody);
        state = State.BODY;
      }
    }
  }

  /**
   * The head of the request just read: the last one again when its line and fields are the very
   * objects the last one was made of (a keep-alive client repeating its request, whose line and
   * fields the decoder shares with the last), else a new one. Records are immutable, so none can
   * tell, except by identity, and the server compares by identity only a head with a body (it waits
   * for a 100 Continue's turn): such a head is always new.
   */
  private RequestHead headOf(Headers headers) {
    RequestHead last = previousHead;
    if (last != null
        && !section.hasFramingFields()
        && last.method() == method
        && last.target() == target
        && last.version() == version
        && last.headers() == headers) {
      return last;
    }
    previousHead = new RequestHead(method, target, version, headers);
    return previousHead;
  }

  private void finishMessage(Sink sink, Headers trailers) {
    state = State.REQUEST_LINE;
    leadingEmptyLines = 0;
    sink.end(trailers);
  }

  private static int indexOf(byte[] bytes, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
