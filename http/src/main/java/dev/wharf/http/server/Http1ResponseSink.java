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
    byte[] common = frame(response, status, headers, streamed);
    return write(status, headers, common, contentLength, null);
  }

  @Override
  public int headAndBody(
      ServerResponse response, int status, Headers.Builder headers, byte[] body) {
    byte[] common = frame(response, status, headers, false);
    return write(status, headers, common, body.length, body);
  }

  /**
   * Decides the framing and the connection's fate for a response about to go out, adding the fields
   * that follow from them, and returns the lines for Date, Server and Connection made once a second
   * (or only Connection, when the handler set its own Date or Server).
   */
  private byte[] frame(
      ServerResponse response, int status, Headers.Builder headers, boolean streamed) {
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
    return common;
  }

  /**
   * Writes the head, and {@code body} (null: none) after it. On the loop a small body is copied in
   * behind the head, into the array the head was made in, and both go to the connection in one
   * write: each write is a copy into the connection's queue with its checks and bookkeeping, which
   * the profile of small answers showed at a few percent per write. Returns the head's length.
   */
  private int write(
      int status, Headers.Builder headers, byte[] common, long contentLength, byte[] body) {
    boolean onLoop = connection.inEventLoop();
    if (onLoop) {
      if (headCache == null) {
        headCache = HeadCache.onLoop(); // The loop's: the connection never moves to another.
      }
      int cached = headCache.head(status, headers, common, contentLength);
      if (cached >= 0) {
        // Bytes past the head are not the cache's: the body may go there.
        writeWithBody(headCache.bytes(), cached, body);
        return cached;
      }
    }
    int length = Http1ResponseEncoder.headLength(status, headers, common, contentLength);
    byte[] head = HeadScratch.forHead(length, onLoop);
    Http1ResponseEncoder.encodeHead(status, headers, common, contentLength, head);
    writeWithBody(head, length, body);
    return length;
  }

  /** Writes the head in {@code array}, then the body: in one write when it fits behind the head. */
  private void writeWithBody(byte[] array, int headLength, byte[] body) {
    if (body != null && body.length <= array.length - headLength) {
      System.arraycopy(body, 0, array, headLength, body.length);
      connection.write(array, 0, headLength + body.length);
      return;
    }
    connection.write(array, 0, headLength);
    if (body != null) {
      data(body);
    }
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
