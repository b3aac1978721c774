package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import dev.wharf.load.wire.HttpResponseReader;
import dev.wharf.load.wire.RepeatedMessage;
import dev.wharf.load.wire.ServerFrameReader;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What every WebSocket exchange of the load engine does first: send the opening handshake (RFC 6455
 * §4.1), read the 101 that answers it, then read the server's frames. Subclasses say what they send
 * after it and what a message from the server means.
 *
 * <p>Not thread-safe: the connection's worker thread owns it.
 */
abstract class WsUpgradeExchange extends Exchange
    implements HttpResponseReader.Sink, ServerFrameReader.Sink {
  private final ByteBuffer upgradeSource;
  private final int upgradeLength;
  private final HttpResponseReader handshake = new HttpResponseReader(this);
  private ServerFrameReader frameReader = new ServerFrameReader(this);
  private RepeatedMessage upgrade;
  private boolean upgraded;

  WsUpgradeExchange(Connection connection, ByteBuffer upgradeSource, int upgradeLength) {
    super(connection);
    this.upgradeSource = upgradeSource;
    this.upgradeLength = upgradeLength;
  }

  /** What goes out after the upgrade request, at most {@code max} bytes. */
  abstract ByteBuffer messagesOutbound(int max);

  /** {@code n} bytes of {@link #messagesOutbound} went out. */
  abstract void messagesSent(int n);

  /** The server accepted the upgrade; the connection opens next. */
  void upgraded() {}

  /** Forgets what the subclass sent and read, for a new connection. */
  abstract void resetMessages();

  @Override
  final void start() {
    upgrade.add();
  }

  @Override
  final ByteBuffer outbound(int max) {
    return upgrade.hasToSend() ? upgrade.next(max) : messagesOutbound(max);
  }

  @Override
  final void sent(int n) {
    if (upgrade.hasToSend()) {
      upgrade.sent(n);
    } else {
      messagesSent(n);
    }
  }

  @Override
  final void received(ByteBuffer data) throws IOException {
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
  public final void response(int status, boolean close) throws IOException {
    if (status != 101) {
      throw new LoadFailure(ErrorKind.PROTOCOL, "the upgrade was refused with status " + status);
    }
    upgraded = true;
    upgraded();
    connection.open();
  }

  @Override
  public void closeReceived() throws IOException {
    throw new LoadFailure(ErrorKind.CLOSED, "the server sent Close");
  }

  @Override
  final void reset() {
    upgrade = new RepeatedMessage(upgradeSource, upgradeLength);
    handshake.reset();
    frameReader = new ServerFrameReader(this);
    upgraded = false;
    resetMessages();
  }
}
