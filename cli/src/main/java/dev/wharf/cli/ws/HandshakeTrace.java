package dev.wharf.cli.ws;

import dev.wharf.cli.Story;
import dev.wharf.cli.UserCredentials;
import dev.wharf.cli.tls.TlsStory;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ForwardingConnection;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsSession;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * For {@code wharf ws -v}: wraps the client's handshake protocol and tells, as curl -v does, the
 * upgrade request as it is written ({@code > } lines) and the response head as it is read ({@code <
 * } lines), the bytes themselves rather than what a parser made of them. Once the handshake
 * switches the connection to the WebSocket session, this is out of the way.
 *
 * <p>Runs on the connection's loop.
 */
final class HandshakeTrace implements Protocol {
  /** A response head longer than this is told only this far (HTTP limits it to 64 KiB anyway). */
  private static final int MAX_HEAD = 16 * 1024;

  private final Protocol handshake;
  private final Story story;
  private final LongSupplier connectStartedNanos;
  private final ByteArrayOutputStream response = new ByteArrayOutputStream();

  /** "\r\n\r\n" as the last four bytes read, big-endian: the end of the head. */
  private static final int CRLF_CRLF = 0x0D0A0D0A;

  private int lastFour;
  private boolean requestTold;
  private boolean responseTold;
  private Connection traced;

  /**
   * @param connectStartedNanos when connecting began ({@link System#nanoTime()}), asked once
   *     connected
   */
  HandshakeTrace(Protocol handshake, Story story, LongSupplier connectStartedNanos) {
    this.handshake = handshake;
    this.story = story;
    this.connectStartedNanos = connectStartedNanos;
  }

  @Override
  public String name() {
    return handshake.name();
  }

  @Override
  public void opened(Connection connection) {
    story.tell(
        "connected to "
            + Story.format(connection.remoteAddress())
            + " from "
            + Story.format(connection.localAddress())
            + " in "
            + Story.millis(System.nanoTime() - connectStartedNanos.getAsLong()));
    TlsSession.of(connection).ifPresent(session -> story.tell(TlsStory.describe(session, true)));
    traced =
        new ForwardingConnection(connection) {
          @Override
          public void write(ByteBuffer data) {
            if (!requestTold) {
              requestTold = true;
              tellHead("> ", data.duplicate());
            }
            super.write(data);
          }
        };
    handshake.opened(traced);
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    if (!responseTold) {
      collect(data.duplicate());
    }
    handshake.received(traced, data);
  }

  @Override
  public void inputClosed(Connection connection) {
    handshake.inputClosed(traced);
  }

  @Override
  public void writabilityChanged(Connection connection, boolean writable) {
    handshake.writabilityChanged(traced, writable);
  }

  @Override
  public void shutdownRequested(Connection connection) {
    handshake.shutdownRequested(traced);
  }

  @Override
  public void closed(Connection connection, CloseReason reason) {
    if (!responseTold && response.size() > 0) {
      responseTold = true;
      tellHead("< ", ByteBuffer.wrap(response.toByteArray()));
    }
    handshake.closed(traced != null ? traced : connection, reason);
  }

  /** Gathers the response until its blank line, then tells it. */
  private void collect(ByteBuffer data) {
    boolean complete = false;
    while (data.hasRemaining() && !complete && response.size() < MAX_HEAD) {
      byte b = data.get();
      response.write(b);
      lastFour = (lastFour << 8) | (b & 0xFF);
      complete = lastFour == CRLF_CRLF;
    }
    if (complete || response.size() >= MAX_HEAD) {
      responseTold = true;
      tellHead("< ", ByteBuffer.wrap(response.toByteArray()));
      if (!complete) {
        story.tell("< (response head cut at " + MAX_HEAD + " bytes)");
      }
    }
  }

  /** Tells each line of an HTTP head up to its blank line, prefixed. */
  private void tellHead(String prefix, ByteBuffer head) {
    String text = StandardCharsets.ISO_8859_1.decode(head).toString();
    int end = text.indexOf("\r\n\r\n");
    for (String line : (end >= 0 ? text.substring(0, end) : text).split("\r\n")) {
      story.tell(prefix + UserCredentials.hideInHeaderLine(line));
    }
  }
}
