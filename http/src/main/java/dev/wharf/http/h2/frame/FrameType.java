package dev.wharf.http.h2.frame;

/**
 * The frame types and flags of HTTP/2 (RFC 9113 §6, §11.2) as the byte values on the wire; a type
 * not listed here is an extension frame, which a receiver ignores (§5.5). Constants only.
 */
public final class FrameType {
  public static final int DATA = 0x0;
  public static final int HEADERS = 0x1;
  public static final int PRIORITY = 0x2;
  public static final int RST_STREAM = 0x3;
  public static final int SETTINGS = 0x4;
  public static final int PUSH_PROMISE = 0x5;
  public static final int PING = 0x6;
  public static final int GOAWAY = 0x7;
  public static final int WINDOW_UPDATE = 0x8;
  public static final int CONTINUATION = 0x9;

  /** DATA, HEADERS: the last frame the sender sends on the stream (§6.1, §6.2). */
  public static final int FLAG_END_STREAM = 0x1;

  /** SETTINGS, PING: an acknowledgement (§6.5, §6.7). */
  public static final int FLAG_ACK = 0x1;

  /** HEADERS, PUSH_PROMISE, CONTINUATION: the field block ends in this frame (§6.2). */
  public static final int FLAG_END_HEADERS = 0x4;

  /** DATA, HEADERS, PUSH_PROMISE: a pad length byte and padding are present (§6.1). */
  public static final int FLAG_PADDED = 0x8;

  /** HEADERS: the deprecated priority fields are present (§6.2). */
  public static final int FLAG_PRIORITY = 0x20;

  /** Every frame starts with a 9-byte header (§4.1). */
  public static final int HEADER_BYTES = 9;

  /** The smallest and largest SETTINGS_MAX_FRAME_SIZE (§6.5.2); the smallest is the default. */
  public static final int MIN_MAX_FRAME_SIZE = 16_384;

  public static final int MAX_MAX_FRAME_SIZE = 16_777_215;

  /** The largest flow-control window and window increment (§6.9.1). */
  public static final int MAX_WINDOW = Integer.MAX_VALUE;

  private FrameType() {}

  /** The type's name in RFC 9113, or {@code UNKNOWN(0x..)}. */
  public static String name(int type) {
    return switch (type) {
      case DATA -> "DATA";
      case HEADERS -> "HEADERS";
      case PRIORITY -> "PRIORITY";
      case RST_STREAM -> "RST_STREAM";
      case SETTINGS -> "SETTINGS";
      case PUSH_PROMISE -> "PUSH_PROMISE";
      case PING -> "PING";
      case GOAWAY -> "GOAWAY";
      case WINDOW_UPDATE -> "WINDOW_UPDATE";
      case CONTINUATION -> "CONTINUATION";
      default -> "UNKNOWN(0x" + Integer.toHexString(type) + ")";
    };
  }
}
