package dev.wharf.http.server;

import dev.wharf.core.Connection;
import dev.wharf.http.Headers;
import dev.wharf.http.codec.ChunkedEncoder;
import dev.wharf.http.codec.Http1ResponseEncoder;
import dev.wharf.http.codec.HttpDate;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A response in HTTP/1.1's framing (RFC 9112 §6): a head, then a body delimited by its
 * Content-Length, by chunks, or (HTTP/1.0 with no length) by the close; the connection headers say
 * whether the connection lives on.
 */
final class Http1ResponseSink implements ResponseSink {
  // One per connection, made with its first response: HTTP/1.1 answers one request at a time, and
  // a response's sink is done with once the response ended (a response that ended refuses writes).

  private final Connection connection;
  private boolean chunked;

  /** The loop's head cache, looked up once rather than through its thread local per response. */
  private HeadCache headCache;

  /** The client said {@code TE: trailers}: a chunked body may end with a trailer section. */
  private boolean trailersAccepted;

  Http1ResponseSink(Connection connection) {
    this.connection = connection;
  }

  @Override
  public int head(
      ServerResponse response,
      int status,
      Headers.Builder headers,
      long contentLength,
      boolean streamed,
      boolean endStream) {
    ServerRequest request = response.request();
    chunked = false; // One sink serves the connection's responses, one after another.
    trailersAccepted = false;
    if (streamed
        && !headers.contains("Content-Length")
        && !dev.wharf.http.HttpStatus.hasNoContent(status)) {
      if (request.version().equals("HTTP/1.1")) {
        chunked = true;
        headers.set("Transfer-Encoding", "chunked");
        trailersAccepted = request.headers().hasToken("TE", "trailers");
      } else {
        response.noKeepAlive(); // HTTP/1.0 without a length: the close marks the end.
      }
    }
    boolean upgrading = response.upgradedTo() != null;
    if (!request.bodyComplete() && !upgrading) {
      // The handler answers before the client finished sending: the rest cannot be skipped
      // safely, so the connection ends with this response.
      response.noKeepAlive();
    }
    CommonFieldLines.ConnectionField connectionField =
        upgrading
            ? CommonFieldLines.ConnectionField.NONE // The caller's Upgrade and Connection stand.
            : !response.keepAlive()
                ? CommonFieldLines.ConnectionField.CLOSE
                : request.version().equals("HTTP/1.0")
                    ? CommonFieldLines.ConnectionField.KEEP_ALIVE
                    : CommonFieldLines.ConnectionField.NONE;
    byte[] common;
    boolean ownDate = headers.contains("Date");
    boolean ownServer = headers.contains("Server");
    if (!ownDate && !ownServer) {
      // Nearly every response: Date, Server and Connection from bytes made once a second.
      common = CommonFieldLines.dateServerAnd(connection.nanoTime(), connectionField);
    } else {
      if (!ownDate) {
        headers.add("Date", HttpDate.now(connection.nanoTime()));
      }
      if (!ownServer) {
        headers.add("Server", CommonFieldLines.SERVER);
      }
      common = CommonFieldLines.connectionOnly(connectionField);
    }
    if (connection.inEventLoop()) {
      if (headCache == null) {
        headCache = HeadCache.onLoop(); // The loop's: the connection never moves to another.
      }
      int cached = headCache.head(status, headers, common, contentLength);
      if (cached >= 0) {
        connection.write(headCache.bytes(), 0, cached);
        return cached;
      }
    }
    int length = Http1ResponseEncoder.headLength(status, headers, common, contentLength);
    byte[] head = HeadScratch.forHead(length, connection.inEventLoop());
    Http1ResponseEncoder.encodeHead(status, headers, common, contentLength, head);
    connection.write(head, 0, length);
    return length;
  }

  @Override
  public void data(ByteBuffer data, boolean last) {
    if (chunked) {
      connection.write(ChunkedEncoder.chunkStart(data.remaining()));
      connection.write(data);
      connection.write(ChunkedEncoder.chunkEnd());
    } else {
      connection.write(data);
    }
  }

  @Override
  public void data(byte[] body) {
    if (chunked) {
      data(ByteBuffer.wrap(body), true);
    } else {
      connection.write(body, 0, body.length); // Copied straight from the array: no wrapper.
    }
  }

  @Override
  public void file(FileChannel file, long position, long count, boolean last) {
    connection.writeFile(file, position, count);
  }

  @Override
  public void end(boolean headOnly, Headers trailers) {
    if (chunked && !headOnly) {
      // RFC 9110 §6.5.1: trailers are optional metadata a recipient may discard; they go to a
      // client that said it takes them, and are dropped (not an error) for one that did not.
      connection.write(
          trailersAccepted ? ChunkedEncoder.lastChunk(trailers) : ChunkedEncoder.lastChunk());
    }
  }

  @Override
  public boolean isWritable() {
    return connection.isWritable();
  }

  @Override
  public boolean isOpen() {
    return connection.isOpen();
  }
}
