package dev.wharf.http.files;

import dev.wharf.http.server.ServerRequest;
import dev.wharf.http.server.ServerResponse;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Several ranges of one file as {@code multipart/byteranges} (RFC 9110 §14.6). Called from a
 * handler's virtual thread: it reads the file as the client takes the response.
 */
final class MultipartRanges {
  private static final int CHUNK = 64 * 1024;

  private MultipartRanges() {}

  /**
   * Sends {@code ranges} of {@code file}, whose length is {@code size}. Reads them from the one
   * channel given, which the caller closes: a request for many ranges holds one descriptor, not one
   * per range queued on the connection.
   */
  static void send(
      ServerRequest request,
      ServerResponse response,
      FileChannel file,
      List<ByteRanges.Range> ranges,
      long size,
      String type)
      throws IOException {
    String boundary = "wharf-" + Long.toHexString(System.nanoTime());
    var heads = new ArrayList<byte[]>();
    long total = 0;
    for (ByteRanges.Range part : ranges) {
      byte[] head =
          ("\r\n--"
                  + boundary
                  + "\r\nContent-Type: "
                  + type
                  + "\r\nContent-Range: bytes "
                  + part.first()
                  + "-"
                  + part.last()
                  + "/"
                  + size
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      heads.add(head);
      total += head.length + part.length();
    }
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    total += tail.length;
    response.status(206);
    response.header("Content-Type", "multipart/byteranges; boundary=" + boundary);
    response.header("Content-Length", Long.toString(total));
    boolean headOnly = request.method().equals("HEAD");
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    for (int i = 0; i < ranges.size(); i++) {
      response.write(ByteBuffer.wrap(heads.get(i)));
      if (!headOnly) {
        copy(file, ranges.get(i), buffer, response);
      }
    }
    response.write(ByteBuffer.wrap(tail));
    response.end();
  }

  /** Writes one range; each write waits while the client is behind (backpressure). */
  private static void copy(
      FileChannel file, ByteRanges.Range range, ByteBuffer buffer, ServerResponse response)
      throws IOException {
    long position = range.first();
    long end = range.last() + 1;
    while (position < end) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
      int n = file.read(buffer, position);
      if (n < 0) {
        // Cut short since we read its size: the promised length can no longer be kept.
        throw new EOFException("file ended at " + position + " of " + end + " bytes");
      }
      position += n;
      response.write(buffer.flip());
    }
  }
}
