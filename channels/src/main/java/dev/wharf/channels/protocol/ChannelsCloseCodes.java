package dev.wharf.channels.protocol;

/**
 * The WebSocket close codes of the channels protocol, from the range RFC 6455 §7.4.2 leaves to
 * applications (4000-4999), so that a client can tell them from the protocol's own. Each comes
 * after an error message that says more; docs/channels.md lists them.
 */
public final class ChannelsCloseCodes {
  /**
   * The connection did not authenticate: no token in time, or one that is malformed, forged, signed
   * with another algorithm or not meant for this server. Reconnecting with the same token will not
   * help.
   */
  public static final int UNAUTHORIZED = 4001;

  /** The token expired (at connect, or later while connected): connect again with a fresh one. */
  public static final int TOKEN_EXPIRED = 4002;

  private ChannelsCloseCodes() {}
}
