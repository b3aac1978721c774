package dev.wharf.http.h2.frame;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The parameters one SETTINGS frame carries (RFC 9113 §6.5): the six that RFC 9113 defines, each
 * present or not, each checked when set (§6.5.2). Where a frame names a parameter twice, the later
 * value is kept, as processing in order (§6.5.3) would leave it. Mutable; confined to the thread
 * that made it.
 */
public final class Http2Settings {
  public static final int HEADER_TABLE_SIZE = 0x1;
  public static final int ENABLE_PUSH = 0x2;
  public static final int MAX_CONCURRENT_STREAMS = 0x3;
  public static final int INITIAL_WINDOW_SIZE = 0x4;
  public static final int MAX_FRAME_SIZE = 0x5;
  public static final int MAX_HEADER_LIST_SIZE = 0x6;

  /** Each parameter takes 6 bytes: a 16-bit identifier and a 32-bit value (§6.5.1). */
  public static final int PARAMETER_BYTES = 6;

  private static final long MAX_VALUE = 0xFFFF_FFFFL;

  private final long[] values = new long[MAX_HEADER_LIST_SIZE + 1];
  private int present; // bit i: parameter i is set

  /**
   * Sets parameter {@code id} to {@code value} (an unsigned 32-bit number) after checking it as RFC
   * 9113 §6.5.2 asks. An identifier this class does not know is ignored (§6.5.2: "An endpoint that
   * receives a SETTINGS frame with any unknown or unsupported identifier MUST ignore that
   * setting"), so a parameter of an extension reads as absent.
   *
   * @throws Http2Exception a connection error for a value out of range
   */
  public Http2Settings set(int id, long value) {
    if (value < 0 || value > MAX_VALUE) {
      throw new IllegalArgumentException("a setting is a 32-bit unsigned value, not " + value);
    }
    if (id < HEADER_TABLE_SIZE || id > MAX_HEADER_LIST_SIZE) {
      return this;
    }
    check(id, value);
    values[id] = value;
    present |= 1 << id;
    return this;
  }

  private static void check(int id, long value) {
    switch (id) {
      // RFC 9113 §6.5.2: any value other than 0 or 1 for ENABLE_PUSH is a PROTOCOL_ERROR.
      case ENABLE_PUSH -> {
        if (value > 1) {
          throw Http2Exception.connectionError(
              ErrorCode.PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH must be 0 or 1, not " + value);
        }
      }
      // RFC 9113 §6.5.2: INITIAL_WINDOW_SIZE above 2^31-1 is a FLOW_CONTROL_ERROR.
      case INITIAL_WINDOW_SIZE -> {
        if (value > FrameType.MAX_WINDOW) {
          throw Http2Exception.connectionError(
              ErrorCode.FLOW_CONTROL_ERROR,
              "SETTINGS_INITIAL_WINDOW_SIZE exceeds 2^31-1: " + value);
        }
      }
      // RFC 9113 §6.5.2: MAX_FRAME_SIZE outside 2^14..2^24-1 is a PROTOCOL_ERROR.
      case MAX_FRAME_SIZE -> {
        if (value < FrameType.MIN_MAX_FRAME_SIZE || value > FrameType.MAX_MAX_FRAME_SIZE) {
          throw Http2Exception.connectionError(
              ErrorCode.PROTOCOL_ERROR,
              "SETTINGS_MAX_FRAME_SIZE must be 16384..16777215, not " + value);
        }
      }
      default -> {}
    }
  }

  /** Whether parameter {@code id} is present. */
  public boolean has(int id) {
    return id >= HEADER_TABLE_SIZE && id <= MAX_HEADER_LIST_SIZE && (present & (1 << id)) != 0;
  }

  /** The value of parameter {@code id}, if present. */
  public OptionalLong get(int id) {
    return has(id) ? OptionalLong.of(values[id]) : OptionalLong.empty();
  }

  /** How many parameters are present. */
  public int size() {
    return Integer.bitCount(present);
  }

  /** Whether no parameter is present. */
  public boolean isEmpty() {
    return present == 0;
  }

  /** The payload length of a SETTINGS frame that carries these parameters. */
  public int payloadBytes() {
    return size() * PARAMETER_BYTES;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Http2Settings other
        && present == other.present
        && Arrays.equals(masked(), other.masked());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(masked());
  }

  private long[] masked() {
    long[] copy = new long[values.length];
    for (int id = HEADER_TABLE_SIZE; id <= MAX_HEADER_LIST_SIZE; id++) {
      copy[id] = has(id) ? values[id] : -1;
    }
    return copy;
  }

  @Override
  public String toString() {
    var text = new StringBuilder("Http2Settings{");
    for (int id = HEADER_TABLE_SIZE; id <= MAX_HEADER_LIST_SIZE; id++) {
      if (has(id)) {
        text.append(text.length() > 14 ? ", " : "").append(name(id)).append('=').append(values[id]);
      }
    }
    return text.append('}').toString();
  }

  /** The parameter's name in RFC 9113. */
  public static String name(int id) {
    return switch (id) {
      case HEADER_TABLE_SIZE -> "HEADER_TABLE_SIZE";
      case ENABLE_PUSH -> "ENABLE_PUSH";
      case MAX_CONCURRENT_STREAMS -> "MAX_CONCURRENT_STREAMS";
      case INITIAL_WINDOW_SIZE -> "INITIAL_WINDOW_SIZE";
      case MAX_FRAME_SIZE -> "MAX_FRAME_SIZE";
      case MAX_HEADER_LIST_SIZE -> "MAX_HEADER_LIST_SIZE";
      default -> "0x" + Integer.toHexString(id);
    };
  }
}
