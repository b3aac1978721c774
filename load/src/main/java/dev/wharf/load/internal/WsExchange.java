package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import dev.wharf.load.wire.RepeatedMessage;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * WebSocket echo: the opening handshake (RFC 6455 §4.1), then a request is one masked text message
 * of the plan's size (one frame, made once per worker with a fixed mask key, so sending is a slice
 * of a shared buffer) and it is answered when a whole message of that size comes back.
 */
final class WsExchange extends WsUpgradeExchange {
  private final RepeatedMessage frames;
  private final int size;
  private long messageBytes;

  WsExchange(
      Connection connection,
      ByteBuffer upgradeSource,
      int upgradeLength,
      ByteBuffer frameSource,
      int frameLength,
      int size) {
    super(connection, upgradeSource, upgradeLength);
    this.frames = new RepeatedMessage(frameSource, frameLength);
    this.size = size;
    reset();
  }

  @Override
  void issue(int slot) {
    frames.add();
  }

  @Override
  ByteBuffer messagesOutbound(int max) {
    return frames.next(max);
  }

  @Override
  void messagesSent(int n) {
    frames.sent(n);
  }

  @Override
  public void messageStart(int opcode, boolean compressed) {
    messageBytes = 0;
  }

  @Override
  public void messageData(ByteBuffer data) {
    messageBytes += data.remaining();
    data.position(data.limit());
  }

  @Override
  public void messageEnd() throws IOException {
    if (messageBytes != size) {
      throw new LoadFailure(
          ErrorKind.PROTOCOL, "an echo of " + messageBytes + " bytes for " + size + " sent");
    }
    connection.answered(0);
  }

  @Override
  void resetMessages() {
    frames.reset();
  }
}
