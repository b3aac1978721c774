package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import dev.wharf.load.wire.HttpResponseReader;
import dev.wharf.load.wire.RepeatedMessage;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * HTTP/1.1 with keep-alive: every request is the same bytes ({@link RepeatedMessage}, made once per
 * worker), pipelined as deep as the connection allows; the responses are read in place by an {@link
 * HttpResponseReader}. A response that says {@code Connection: close} ends the connection after it,
 * and the connection opens again.
 */
final class HttpExchange extends Exchange implements HttpResponseReader.Sink {
  private final RepeatedMessage requests;
  private final HttpResponseReader reader = new HttpResponseReader(this);

  HttpExchange(Connection connection, ByteBuffer requestSource, int requestLength, boolean head) {
    super(connection);
    this.requests = new RepeatedMessage(requestSource, requestLength);
    reader.answersHead(head);
  }

  @Override
  void start() {
    connection.open();
  }

  @Override
  void issue(int slot) {
    requests.add();
  }

  @Override
  ByteBuffer outbound(int max) {
    return requests.next(max);
  }

  @Override
  void sent(int n) {
    requests.sent(n);
  }

  @Override
  void received(ByteBuffer data) throws IOException {
    try {
      reader.read(data);
    } catch (LoadFailure e) {
      throw e;
    } catch (IOException e) {
      throw new LoadFailure(ErrorKind.PROTOCOL, e.getMessage());
    }
    if (data.hasRemaining()) {
      throw new LoadFailure(ErrorKind.PROTOCOL, "101 Switching Protocols to HTTP");
    }
  }

  @Override
  public void response(int status, boolean close) throws IOException {
    connection.answered(status);
    if (close) {
      connection.closeAfterAnswer();
    }
  }

  @Override
  void endOfStream() throws IOException {
    try {
      reader.closed();
    } catch (IOException e) {
      throw new LoadFailure(ErrorKind.CLOSED, e.getMessage());
    }
  }

  @Override
  void reset() {
    requests.reset();
    reader.reset();
  }
}
