package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.fields.FieldValues;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Turns bytes into HTTP/1.1 responses (RFC 9112), incrementally, for a client. It must be told the
 * method of each request sent ({@link #expect}), since a response to HEAD has no body. Interim
 * (1xx) responses are reported and skipped. A body without a length runs until the connection
 * closes ({@link #endOfInput}).
 *
 * <p>After a {@code 101 Switching Protocols} response the decoder stops ({@link #isUpgraded}): the
 * bytes that follow belong to the new protocol and are left in the input.
 *
 * <p>A malformed response throws {@link MessageParseException}; a client fails the exchange with it
 * as the cause of a {@link java.net.ProtocolException}. Not thread-safe; does no I/O.
 */
public final class Http1ResponseDecoder {

  /** Receives what the decoder finds, in order. */
  public interface Sink {
    /** An interim response (100 Continue, 103 Early Hints); a final one follows. */
    default void informational(ResponseHead head) {}

    void head(ResponseHead head);

    /** Part of the body; a slice of the input, valid for the call. */
    void body(ByteBuffer chunk);

    void end(Headers trailers);
  }

  private enum State {
    STATUS_LINE,
    HEADERS,
    BODY,
    UPGRADED,
    FAILED
  }

  private final HttpLimits limits;
  private final LineReader line;
  private final FieldSection section;
  private final BodyDecoder body;
  private final ArrayDeque<String> methods = new ArrayDeque<>();
  private State state = State.STATUS_LINE;
  private String version;
  private int status;
  private String reason;

  public Http1ResponseDecoder(HttpLimits limits) {
    this.limits = limits;
    this.line = new LineReader(Math.max(limits.maxRequestLineBytes(), limits.maxHeaderBytes()));
    this.section = new FieldSection(limits);
    this.body = new BodyDecoder(line, section);
  }

  /** Records that a request with this method was sent; responses come back in that order. */
  public void expect(String method) {
    methods.add(method);
  }

  /** True between responses. */
  public boolean isIdle() {
    return state == State.STATUS_LINE && line.isEmpty();
  }

  /** True after a 101 response: the connection speaks another protocol now. */
  public boolean isUpgraded() {
    return state == State.UPGRADED;
  }

  public void decode(ByteBuffer input, Sink sink) {
    if (state == State.FAILED) {
      throw bad("the connection already failed");
    }
    try {
      while (input.hasRemaining() && state != State.UPGRADED) {
        switch (state) {
          case STATUS_LINE -> readStatusLine(input);
          case HEADERS -> {
            if (section.read(line, input, "header", true)) {
              endOfHeaders(sink);
            }
          }
          case BODY -> {
            if (body.decode(input, sink::body)) {
              finish(sink, body.trailers());
            }
          }
          case UPGRADED, FAILED -> throw new IllegalStateException("unreachable");
        }
      }
    } catch (RuntimeException e) {
      state = State.FAILED;
      throw e;
    }
  }

  /**
   * The connection closed. Ends a body that runs until close; anything else cut short is an error.
   */
  public void endOfInput(Sink sink) {
    if (state == State.BODY && body.endsAtClose()) {
      finish(sink, Headers.EMPTY);
      return;
    }
    if (!isIdle()) {
      state = State.FAILED;
      throw bad("connection closed in the middle of a response");
    }
  }

  private void readStatusLine(ByteBuffer input) {
    if (line.isEmpty() && isTlsRecord(input)) {
      // A plain request to a TLS port gets an alert (or a handshake) back, never a status line:
      // say so rather than wait for a line that will not come.
      throw bad("received a TLS record, not HTTP (the server speaks TLS: https://?)");
    }
    // RFC 9112 §2.2: a recipient may take a bare LF as the end of the status line or a field.
    if (!line.read(input, limits.maxRequestLineBytes(), true)) {
      if (line.overflowed()) {
        throw bad("status line too long");
      }
      return;
    }
    ResponseHead head = parseStatusLine(line.bytes(), 0, line.length());
    line.reset();
    version = head.version();
    status = head.status();
    reason = head.reason();
    section.reset();
    state = State.HEADERS;
  }

  /**
   * One status line, without its line end, checked as {@link #decode} checks it: its version,
   * status and reason, with no header fields. For a reader that sees the first line of a head
   * without the rest (a packet trace).
   *
   * @throws MessageParseException where {@link #decode} would refuse the line
   */
  public static ResponseHead parseStatusLine(byte[] bytes, int from, int length) {
    String text = new String(bytes, from, length, StandardCharsets.ISO_8859_1);
    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
    if (text.length() < 12
        || !(text.startsWith("HTTP/1.1 ") || text.startsWith("HTTP/1.0 "))
        || !Character.isDigit(text.charAt(9))
        || !Character.isDigit(text.charAt(10))
        || !Character.isDigit(text.charAt(11))
        || (text.length() > 12 && text.charAt(12) != ' ')) {
      throw bad("malformed status line: " + text);
    }
    return new ResponseHead(
        text.substring(0, 8),
        Integer.parseInt(text.substring(9, 12)),
        text.length() > 13 ? text.substring(13) : "",
        Headers.EMPTY);
  }

  private void endOfHeaders(Sink sink) {
    Headers headers = section.build();
    var head = new ResponseHead(version, status, reason, headers);
    if (status >= 100 && status < 200 && status != 101) {
      sink.informational(head);
      state = State.STATUS_LINE;
      return;
    }
    String method = methods.isEmpty() ? "GET" : methods.poll();
    sink.head(head);
    // RFC 9112 §6.3: HEAD responses, 1xx, 204 and 304 never have a body.
    if (status == 101) {
      finish(sink, Headers.EMPTY);
      state = State.UPGRADED; // What follows is the new protocol's (RFC 9110 §15.2.2).
      return;
    }
    if (method.equals("HEAD") || status == 204 || status == 304) {
      finish(sink, Headers.EMPTY);
      return;
    }
    List<String> codings = headers.all("Transfer-Encoding");
    List<String> lengths = headers.all("Content-Length");
    if (!codings.isEmpty()) {
      List<String> last = FieldValues.list(codings.getLast());
      if (!last.isEmpty() && last.getLast().equalsIgnoreCase("chunked")) {
        body.startChunked(Long.MAX_VALUE);
      } else {
        body.startUntilClose(); // §6.3 rule 4: not chunked, so it ends when the server closes.
      }
    } else if (!lengths.isEmpty()) {
      long length = -1;
      for (String field : lengths) {
        for (String part : FieldValues.listKeepingEmpty(field)) {
          long value;
          try {
            value = Long.parseLong(part);
          } catch (NumberFormatException e) {
            throw bad("malformed Content-Length: " + field);
          }
          if (value < 0 || (length >= 0 && value != length)) {
            throw bad("bad Content-Length: " + field);
          }
          length = value;
        }
      }
      body.startFixed(length);
    } else {
      body.startUntilClose();
    }
    if (body.isDone()) {
      finish(sink, Headers.EMPTY);
    } else {
      state = State.BODY;
    }
  }

  private void finish(Sink sink, Headers trailers) {
    state = State.STATUS_LINE;
    sink.end(trailers);
  }

  /** RFC 8446 §5.1: a TLS record starts with its type (21 alert, 22 handshake), then 3.x. */
  private static boolean isTlsRecord(ByteBuffer input) {
    int p = input.position();
    return input.remaining() >= 2
        && (input.get(p) == 21 || input.get(p) == 22)
        && input.get(p + 1) == 3;
  }

  private static MessageParseException bad(String message) {
    return MessageParseException.malformed(message);
  }
}
