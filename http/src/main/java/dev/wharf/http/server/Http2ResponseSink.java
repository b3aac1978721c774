package dev.wharf.http.server;

import dev.wharf.http.Headers;
import dev.wharf.http.codec.HttpDate;
import dev.wharf.http.h2.server.Http2ServerStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A response as HTTP/2 frames on one stream (RFC 9113 §8.1): HEADERS, then DATA, the last with
 * END_STREAM. There is no chunking and no connection header: a stream's end delimits the body, and
 * the connection lives on whatever one response says.
 */
final class Http2ResponseSink implements ResponseSink {
  private final Http2ServerStream stream;

  Http2ResponseSink(Http2ServerStream stream) {
    this.stream = stream;
  }

  @Override
  public int head(
      ServerResponse response,
      int status,
      Headers.Builder headers,
      long contentLength,
      boolean streamed,
      boolean endStream) {
    if (!headers.contains("Date")) {
      headers.add("Date", HttpDate.now(stream.connection().nanoTime()));
    }
    if (!headers.contains("Server")) {
      headers.add("Server", "wharf");
    }
    stream.respond(status, headers.build(), contentLength, endStream);
    return 0; // HPACK-compressed among other streams' frames: not counted apart.
  }

  @Override
  public void data(ByteBuffer data, boolean last) {
    stream.data(data, last);
  }

  @Override
  public void file(FileChannel file, long position, long count, boolean last) {
    stream.file(file, position, count, last);
  }

  @Override
  public void end(boolean headOnly, Headers trailers) {
    if (trailers.size() > 0) {
      stream.trailers(trailers); // RFC 9113 §8.1: a HEADERS frame with END_STREAM after the DATA.
    } else {
      stream.end();
    }
  }

  @Override
  public boolean isWritable() {
    return stream.isWritable();
  }

  @Override
  public boolean isOpen() {
    return stream.isOpen();
  }
}
