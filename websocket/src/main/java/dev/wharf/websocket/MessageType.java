package dev.wharf.websocket;

/** The two kinds of data message (RFC 6455 §5.6). */
public enum MessageType {
  /** UTF-8 text. */
  TEXT,
  /** Arbitrary bytes. */
  BINARY
}
