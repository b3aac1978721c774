package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import dev.wharf.load.wire.HttpResponseReader;
import dev.wharf.load.wire.RepeatedMessage;
import dev.wharf.load.wire.SentMicrosScanner;
import dev.wharf.load.wire.ServerFrameReader;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A held WebSocket connection (C10K): the opening handshake (RFC 6455 §4.1), the plan's greeting
 * once (a masked text message, such as a channels subscribe), then a request is one masked Ping and
 * its answer the Pong (RFC 6455 §5.5.2-3). Text messages the server sends on its own are counted,
 * and those that carry {@code "sentMicros":N} are timed from N (see {@link SentMicrosScanner}).
 *
 * <p>Not thread-safe: the connection's worker thread owns it.
 */
final class WsHoldExchange extends Exchange
    implements HttpResponseReader.Sink, ServerFrameReader.Sink {
  private final ByteBuffer upgradeSource;
  private final int upgradeLength;
  private final ByteBuffer greetingSource;
  private final int greetingLength;
  private final RepeatedMessage pings;
  private final HttpResponseReader handshake = new HttpResponseReader(this);
  private final SentMicrosScanner stamp = new SentMicrosScanner();
  private ServerFrameReader frameReader = new ServerFrameReader(this);
  private RepeatedMessage upgrade;
  private RepeatedMessage greeting;
  private boolean upgraded;
  private boolean text;

  WsHoldExchange(
      Connection connection,
      ByteBuffer upgradeSource,
      int upgradeLength,
      ByteBuffer greetingSource,
      int greetingLength,
      ByteBuffer pingSource,
      int pingLength) {
    super(connection);
    this.upgradeSource = upgradeSource;
    this.upgradeLength = upgradeLength;
    this.greetingSource = greetingSource;
    this.greetingLength = greetingLength;
    this.pings = new RepeatedMessage(pingSource, pingLength);
    reset();
  }

  @Override
  void start() {
    upgrade.add();
  }

  @Override
  void issue() {
    pings.add();
  }

  @Override
  ByteBuffer outbound(int max) {
    if (upgrade.hasToSend()) {
      return upgrade.next(max);
    }
    return greeting.hasToSend() ? greeting.next(max) : pings.next(max);
  }

  @Override
  void sent(int n) {
    if (upgrade.hasToSend()) {
      upgrade.sent(n);
    } else if (greeting.hasToSend()) {
      greeting.sent(n);
    } else {
      pings.sent(n);
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

  /** A held connection is never meant to end: the server closing it is a lost connection. */
  @Override
  void endOfStream() throws IOException {
    throw new LoadFailure(ErrorKind.CLOSED, "the server closed a held connection");
  }

  /** The answer to the upgrade request: then the greeting goes out, before any ping. */
  @Override
  public void response(int status, boolean close) throws IOException {
    if (status != 101) {
      throw new LoadFailure(ErrorKind.PROTOCOL, "the upgrade was refused with status " + status);
    }
    upgraded = true;
    if (greetingLength > 0) {
      greeting.add();
    }
    connection.open();
  }

  @Override
  public void messageStart(int opcode, boolean compressed) {
    text = opcode == 1;
    stamp.reset();
  }

  @Override
  public void messageData(ByteBuffer data) {
    if (text) {
      stamp.scan(data);
    }
    data.position(data.limit());
  }

  @Override
  public void messageEnd() {
    if (text) {
      connection.messageReceived(stamp.micros());
    }
  }

  @Override
  public void pong() throws IOException {
    connection.answered(0);
  }

  @Override
  public void closeReceived() throws IOException {
    throw new LoadFailure(ErrorKind.CLOSED, "the server sent Close");
  }

  @Override
  void reset() {
    upgrade = new RepeatedMessage(upgradeSource, upgradeLength);
    greeting = new RepeatedMessage(greetingSource, Math.max(1, greetingLength));
    pings.reset();
    handshake.reset();
    frameReader = new ServerFrameReader(this);
    upgraded = false;
  }
}
