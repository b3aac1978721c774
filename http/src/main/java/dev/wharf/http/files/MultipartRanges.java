package dev.wharf.http.files;

import dev.wharf.http.codec.SharedFile;
import dev.wharf.http.server.ServerResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Several ranges of one file as {@code multipart/byteranges} (RFC 9110 §14.6). Each part is queued
 * on the connection as a stretch of the file, like a single range, so a client that reads slowly or
 * not at all costs socket buffers and a few small objects, never the parts' bytes on the heap.
 */
final class MultipartRanges {
  private MultipartRanges() {}

  /**
   * Sends {@code ranges} of {@code file}, whose length is {@code size}, and closes it once the last
   * part is sent or dropped: a request for many ranges holds one descriptor, not one per part.
   */
  static void send(
      ServerResponse response,
      FileChannel file,
      List<ByteRanges.Range> ranges,
      long size,
      String type)
      throws IOException {
    try (var shared = new SharedFile(file)) {
      send(response, shared, ranges, size, type);
    }
  }

  /** Sends {@code ranges} of a small file held in memory, each part copied from {@code body}. */
  static void send(
      ServerResponse response, byte[] body, List<ByteRanges.Range> ranges, String type) {
    send(
        response,
        ranges,
        body.length,
        type,
        part -> response.write(ByteBuffer.wrap(body, (int) part.first(), (int) part.length())));
  }

  private static void send(
      ServerResponse response,
      SharedFile file,
      List<ByteRanges.Range> ranges,
      long size,
      String type) {
    // The part goes out from the file (sendfile on plain TCP): a client that does not read holds
    // a queued stretch of the file, not a copy of it.
    send(
        response,
        ranges,
        size,
        type,
        part -> response.writeFile(file.lend(), part.first(), part.length()));
  }

  private static void send(
      ServerResponse response,
      List<ByteRanges.Range> ranges,
      long size,
      String type,
      java.util.function.Consumer<ByteRanges.Range> writePart) {
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
    for (int i = 0; i < ranges.size(); i++) {
      ByteRanges.Range part = ranges.get(i);
      response.write(ByteBuffer.wrap(heads.get(i)));
      writePart.accept(part);
    }
    response.write(ByteBuffer.wrap(tail));
    response.end();
  }
}
