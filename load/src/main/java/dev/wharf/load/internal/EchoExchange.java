package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import dev.wharf.load.wire.PatternStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Raw TCP echo: a request is the next {@code size} bytes of the checked {@link PatternStream}, and
 * it is answered when that many bytes have come back, whatever the read boundaries.
 */
final class EchoExchange extends Exchange {
  private final ByteBuffer source;
  private final int size;
  private PatternStream pattern;
  private long answered;

  EchoExchange(Connection connection, ByteBuffer source, int size) {
    super(connection);
    this.source = source;
    this.size = size;
    this.pattern = new PatternStream(source.duplicate());
  }

  @Override
  void start() {
    connection.open();
  }

  @Override
  void issue(int slot) {
    pattern.add(size);
  }

  @Override
  ByteBuffer outbound(int max) {
    return pattern.next(max);
  }

  @Override
  void sent(int n) {
    pattern.sent(n);
  }

  @Override
  void received(ByteBuffer data) throws IOException {
    long received;
    try {
      received = pattern.received(data);
    } catch (IOException e) {
      throw new LoadFailure(ErrorKind.PROTOCOL, e.getMessage());
    }
    data.position(data.limit());
    long whole = received / size;
    while (answered < whole) {
      answered++;
      connection.answered(0);
    }
  }

  @Override
  void reset() {
    pattern = new PatternStream(source.duplicate());
    answered = 0;
  }
}
