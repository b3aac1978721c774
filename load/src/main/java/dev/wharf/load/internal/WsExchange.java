package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import dev.wharf.load.wire.HttpResponseReader;
import dev.wharf.load.wire.RepeatedMessage;
import dev.wharf.load.wire.ServerFrameReader;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * WebSocket echo: the opening handshake (RFC 6455 §4.1), then a request is one masked text message
 * of the plan's size (one frame, made once per worker with a fixed mask key, so sending is a slice
 * of a shared buffer) and it is answered when a whole message of that size comes back.
 */
final class WsExchange extends Exchange implements HttpResponseReader.Sink, ServerFrameReader.Sink {
  private final ByteBuffer upgradeSource;
  private final int upgradeLength;
  private final RepeatedMessage frames;
  private final int size;
  private final HttpResponseReader handshake = new HttpResponseReader(this);
  private ServerFrameReader frameReader = new ServerFrameReader(this);
  private RepeatedMessage upgrade;
  private boolean upgraded;
  private long messageBytes;

  WsExchange(
      Connection connection,
      ByteBuffer upgradeSource,
      int upgradeLength,
      ByteBuffer frameSource,
      int frameLength,
      int size) {
    super(connection);
    this.upgradeSource = upgradeSource;
    this.upgradeLength = upgradeLength;
    this.frames = new RepeatedMessage(frameSource, frameLength);
    this.size = size;
    reset();
  }

  @Override
  void start() {
    upgrade.add();
  }

  @Override
  void issue() {
    frames.add();
  }

  @Override
  ByteBuffer outbound(int max) {
    return upgrade.hasToSend() ? upgrade.next(max) : frames.next(max);
  }

  @Override
  void sent(int n) {
    if (upgrade.hasToSend()) {
      upgrade.sent(n);
    } else {
      frames.sent(n);
    }
  }

  @Override
  void received(ByteBuffer data) throws IOException {
    try {
      if (!upgraded) {
        handshake.read(data);
        if (!upgraded) {
          return;
        }
      }
      frameReader.read(data);
    } catch (LoadFailure e) {
      throw e;
    } catch (IOException e) {
      throw new LoadFailure(ErrorKind.PROTOCOL, e.getMessage());
    }
  }

  /** The answer to the upgrade request. */
  @Override
  public void response(int status, boolean close) throws IOException {
    if (status != 101) {
      throw new LoadFailure(ErrorKind.PROTOCOL, "the upgrade was refused with status " + status);
    }
    upgraded = true;
    connection.open();
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
  public void closeReceived() throws IOException {
    throw new LoadFailure(ErrorKind.CLOSED, "the server sent Close");
  }

  @Override
  void reset() {
    upgrade = new RepeatedMessage(upgradeSource, upgradeLength);
    frames.reset();
    handshake.reset();
    frameReader = new ServerFrameReader(this);
    upgraded = false;
  }
}
