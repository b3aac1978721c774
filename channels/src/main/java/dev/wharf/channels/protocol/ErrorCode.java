package dev.wharf.channels.protocol;

/**
 * The codes of error replies ({@code {"id":1,"error":{"code":"bad_request","message":"..."}}}), as
 * docs/channels.md lists them. The wire names are a public contract: add codes, never rename.
 */
public enum ErrorCode {
  /** Not JSON, not an object, an unknown op, a field missing or of the wrong type or syntax. */
  BAD_REQUEST("bad_request"),
  /**
   * The connection may not do this on this channel; or its token is missing, malformed, forged or
   * not valid for this server (then the connection closes with {@link
   * ChannelsCloseCodes#UNAUTHORIZED}).
   */
  UNAUTHORIZED("unauthorized"),
  /**
   * The token has expired (then the connection closes with {@link
   * ChannelsCloseCodes#TOKEN_EXPIRED}): get a fresh one and connect again.
   */
  TOKEN_EXPIRED("token_expired"),
  /** The channel's name matches none of the server's channel patterns. */
  UNKNOWN_CHANNEL("unknown_channel"),
  /** A message too large, too many channels on one connection. */
  LIMIT_EXCEEDED("limit_exceeded"),
  /** What {@code since} asks for is no longer in the history (or the epoch changed). */
  TOO_OLD("too_old"),
  /** The broker could not be reached or failed; trying again later may work. */
  UNAVAILABLE("unavailable");

  private final String wireName;

  ErrorCode(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The code with this wire name, or {@code null}. */
  public static ErrorCode ofWireName(String name) {
    for (ErrorCode code : values()) {
      if (code.wireName.equals(name)) {
        return code;
      }
    }
    return null;
  }
}
