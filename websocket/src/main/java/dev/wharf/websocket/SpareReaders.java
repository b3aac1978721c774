package dev.wharf.websocket;

import dev.wharf.websocket.codec.WebSocketFrameReader;

/**
 * One spare frame reader and message assembler ({@link InboundMessages}) per event-loop thread,
 * lent to whichever of the loop's sessions is reading. A session between messages holds neither
 * (with its UTF-8 validator, about 180 bytes), so ten thousand quiet WebSockets do not hold ten
 * thousand of them; a busy loop, where reads end at message boundaries, takes and gives back the
 * same pair and allocates none.
 *
 * <p>Only a pair at rest is given back: the reader between frames and not inside a fragmented
 * message, the assembler with no message, control frame, gathered array or stream in progress.
 * Sessions with permessage-deflate keep theirs (the inflater's window is the connection's). A spare
 * is taken only by a session with the same limits. Loop threads only: each has its own spare.
 */
final class SpareReaders {
  private static final ThreadLocal<WebSocketFrameReader> READER = new ThreadLocal<>();
  private static final ThreadLocal<InboundMessages> INBOUND = new ThreadLocal<>();

  private SpareReaders() {}

  /** The thread's spare reader if it reads as asked, else a new one. */
  static WebSocketFrameReader reader(boolean expectMasked, long maxFrameBytes) {
    WebSocketFrameReader spare = READER.get();
    if (spare != null
        && spare.expectsMasked() == expectMasked
        && spare.maxFrameBytes() == maxFrameBytes) {
      READER.set(null);
      return spare;
    }
    return new WebSocketFrameReader(expectMasked, maxFrameBytes);
  }

  /** The thread's spare assembler, now for {@code session}, if its limits match; else a new one. */
  static InboundMessages inbound(InboundMessages.Session session, WebSocketConfig config) {
    InboundMessages spare = INBOUND.get();
    if (spare != null
        && spare.maxMessageBytes() == config.maxMessageBytes()
        && spare.budget() == config.memoryBudget()) {
      INBOUND.set(null);
      spare.rebind(session);
      return spare;
    }
    return new InboundMessages(session, config.maxMessageBytes(), config.memoryBudget());
  }

  /** Keeps a pair at rest as the thread's spares. */
  static void give(WebSocketFrameReader reader, InboundMessages inbound) {
    READER.set(reader);
    inbound.rebind(null); // Keeps no session alive.
    INBOUND.set(inbound);
  }
}
