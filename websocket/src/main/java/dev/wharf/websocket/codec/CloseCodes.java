package dev.wharf.websocket.codec;

import java.util.Optional;

/**
 * Close status codes (RFC 6455 §7.4.1 and the IANA "WebSocket Close Code Number" registry), and the
 * rule for which may appear in a Close frame, and their names in words.
 */
public final class CloseCodes {
  private CloseCodes() {}

  public static final int NORMAL = 1000;
  public static final int GOING_AWAY = 1001;
  public static final int PROTOCOL_ERROR = 1002;
  public static final int UNSUPPORTED_DATA = 1003;

  /** Reported when a Close frame carried no code; never sent. */
  public static final int NO_STATUS = 1005;

  /** Reported when the connection ended without a Close frame; never sent. */
  public static final int ABNORMAL = 1006;

  public static final int INVALID_PAYLOAD = 1007;
  public static final int POLICY_VIOLATION = 1008;
  public static final int MESSAGE_TOO_BIG = 1009;
  public static final int MANDATORY_EXTENSION = 1010;
  public static final int INTERNAL_ERROR = 1011;
  public static final int SERVICE_RESTART = 1012;
  public static final int TRY_AGAIN_LATER = 1013;
  public static final int BAD_GATEWAY = 1014;

  /**
   * Whether a code may be sent in, and accepted from, a Close frame: the codes RFC 6455 and the
   * IANA registry define for the wire (1000-1003, 1007-1014) and those for libraries and
   * applications (3000-4999). 1004-1006 and 1015 are reserved or only reported locally.
   */
  public static boolean isValidOnWire(int code) {
    // RFC 6455 §7.4.2: 0-999 unused; 1000-2999 reserved for the RFC and its extensions.
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  /**
   * The registry's name of a code in words ({@code "going away"} for 1001), or empty for a code of
   * an application or library (3000-4999) and any other code the registry does not name.
   */
  public static Optional<String> name(int code) {
    return Optional.ofNullable(
        switch (code) {
          case NORMAL -> "normal";
          case GOING_AWAY -> "going away";
          case PROTOCOL_ERROR -> "protocol error";
          case UNSUPPORTED_DATA -> "unsupported data";
          case NO_STATUS -> "no status code";
          case ABNORMAL -> "abnormal: no Close frame";
          case INVALID_PAYLOAD -> "invalid payload";
          case POLICY_VIOLATION -> "policy violation";
          case MESSAGE_TOO_BIG -> "message too big";
          case MANDATORY_EXTENSION -> "mandatory extension";
          case INTERNAL_ERROR -> "internal error";
          case SERVICE_RESTART -> "service restart";
          case TRY_AGAIN_LATER -> "try again later";
          case BAD_GATEWAY -> "bad gateway";
          default -> null;
        });
  }

  /** A code with its name, for people: {@code 1000 (normal)}; just {@code 4001} without one. */
  public static String describe(int code) {
    return name(code).map(name -> code + " (" + name + ")").orElse(Integer.toString(code));
  }
}
