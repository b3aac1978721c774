package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import dev.wharf.load.wire.RepeatedMessage;
import dev.wharf.load.wire.SentMicrosScanner;
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
final class WsHoldExchange extends WsUpgradeExchange {
  private final ByteBuffer greetingSource;
  private final int greetingLength;
  private final RepeatedMessage pings;
  private final SentMicrosScanner stamp = new SentMicrosScanner();
  private RepeatedMessage greeting;
  private boolean text;

  WsHoldExchange(
      Connection connection,
      ByteBuffer upgradeSource,
      int upgradeLength,
      ByteBuffer greetingSource,
      int greetingLength,
      ByteBuffer pingSource,
      int pingLength) {
    super(connection, upgradeSource, upgradeLength);
    this.greetingSource = greetingSource;
    this.greetingLength = greetingLength;
    this.pings = new RepeatedMessage(pingSource, pingLength);
    reset();
  }

  @Override
  void issue(int slot) {
    pings.add();
  }

  @Override
  ByteBuffer messagesOutbound(int max) {
    return greeting.hasToSend() ? greeting.next(max) : pings.next(max);
  }

  @Override
  void messagesSent(int n) {
    if (greeting.hasToSend()) {
      greeting.sent(n);
    } else {
      pings.sent(n);
    }
  }

  /** A held connection is never meant to end: the server closing it is a lost connection. */
  @Override
  void endOfStream() throws IOException {
    throw new LoadFailure(ErrorKind.CLOSED, "the server closed a held connection");
  }

  /** Upgraded: the greeting goes out, before any ping. */
  @Override
  void upgraded() {
    if (greetingLength > 0) {
      greeting.add();
    }
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
  void resetMessages() {
    greeting = new RepeatedMessage(greetingSource, Math.max(1, greetingLength));
    pings.reset();
  }
}
