package dev.wharf.http.server;

import dev.wharf.http.Headers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Where a {@link ServerResponse} puts its bytes: the one part of a response that depends on the
 * protocol version. {@link ServerResponse} keeps the rules every version shares (status, headers,
 * HEAD, bodies that may not have content, the access log's counts); a sink frames them, HTTP/1.1 as
 * a head and a body delimited by length, chunks or close ({@link Http1ResponseSink}), HTTP/2 as
 * HEADERS and DATA frames on one stream.
 *
 * <p>Called from the loop or from the handler's thread, from one at a time, in order.
 */
interface ResponseSink {

  /**
   * Writes the head. {@code contentLength} is the whole body's length, or -1 when the body is
   * streamed ({@code streamed}) with no Content-Length set; {@code endStream} is true when no body
   * byte follows.
   *
   * @return the bytes the head took on the wire, for the access log
   */
  int head(
      ServerResponse response,
      int status,
      Headers.Builder headers,
      long contentLength,
      boolean streamed,
      boolean endStream);

  /**
   * Writes the head of a response with a whole body of {@code body.length} bytes (its
   * Content-Length), then the body; nothing follows. A sink may put both in one write.
   *
   * @return the bytes the head took on the wire, for the access log
   */
  default int headAndBody(
      ServerResponse response, int status, Headers.Builder headers, byte[] body) {
    int headBytes = head(response, status, headers, body.length, false, false);
    data(body);
    return headBytes;
  }

  /** Part of the body; {@code last} when nothing follows. Consumes {@code data}. */
  void data(ByteBuffer data, boolean last);

  /** A whole body, the last part; the array is not changed. */
  default void data(byte[] body) {
    data(ByteBuffer.wrap(body), true);
  }

  /** Part of the body from a file, closed once sent; {@code last} when nothing follows. */
  void file(FileChannel file, long position, long count, boolean last);

  /**
   * Ends a streamed body whose last part went out without {@code last}, with {@code trailers}
   * (empty: none) after it where the version can carry them.
   */
  void end(boolean headOnly, Headers trailers);

  /** False while the peer is behind on reading (or, on HTTP/2, the stream is out of window). */
  boolean isWritable();

  /** False once nothing more can go out (the connection closed, the stream was reset). */
  boolean isOpen();
}
