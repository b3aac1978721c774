package dev.wharf.http.codec;

/**
 * The bytes are not an acceptable HTTP/1 message: thrown by the decoders, which are shared by
 * server and client and so name what is wrong, not how to answer it. The server answers with the
 * status for the {@link Kind} (400, 413, 414, 431, 501, 505) and closes; the client fails the
 * exchange with a {@link java.net.ProtocolException}. A decoder that threw refuses further input.
 */
public final class MessageParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the message. */
  public enum Kind {
    /** Bad syntax, or framing two parsers could read two ways (a server answers 400). */
    MALFORMED,
    /** A request line over the limit (414). */
    REQUEST_LINE_TOO_LONG,
    /** A header or trailer section over its byte or field limit (431). */
    HEADERS_TOO_LARGE,
    /** A body, or a chunk size, over the limit (413). */
    BODY_TOO_LARGE,
    /** A transfer coding other than chunked, which is not implemented (501). */
    UNSUPPORTED_TRANSFER_CODING,
    /** An HTTP version other than 1.0 and 1.1 (505). */
    UNSUPPORTED_VERSION
  }

  private final Kind kind;

  public MessageParseException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** A message of {@link Kind#MALFORMED} syntax. */
  public static MessageParseException malformed(String message) {
    return new MessageParseException(Kind.MALFORMED, message);
  }

  public Kind kind() {
    return kind;
  }
}
