package dev.wharf.websocket;

/**
 * How to use permessage-deflate (RFC 7692) when the other side agrees.
 *
 * @param level the compression level, 1 (fastest) to 9 (smallest); 0 stores without compressing
 * @param serverNoContextTakeover the server compresses each message on its own: less memory per
 *     connection (the server's compressor is shared by all connections on a loop), less compression
 * @param clientNoContextTakeover the client does the same (asked of the client by a server, offered
 *     by a client)
 * @param minMessageBytes messages shorter than this are sent uncompressed (RFC 7692 lets a sender
 *     choose per message); compressing a few bytes only adds to them
 */
public record DeflateOptions(
    int level,
    boolean serverNoContextTakeover,
    boolean clientNoContextTakeover,
    int minMessageBytes) {

  /** Level 6, context takeover both ways, messages under 32 bytes left alone. */
  public static final DeflateOptions DEFAULTS = new DeflateOptions(6, false, false, 32);

  public DeflateOptions {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("deflate level must be 0..9: " + level);
    }
    if (minMessageBytes < 0) {
      throw new IllegalArgumentException("minMessageBytes must not be negative");
    }
  }

  public DeflateOptions withLevel(int value) {
    return new DeflateOptions(
        value, serverNoContextTakeover, clientNoContextTakeover, minMessageBytes);
  }

  public DeflateOptions withServerNoContextTakeover(boolean value) {
    return new DeflateOptions(level, value, clientNoContextTakeover, minMessageBytes);
  }

  public DeflateOptions withClientNoContextTakeover(boolean value) {
    return new DeflateOptions(level, serverNoContextTakeover, value, minMessageBytes);
  }

  public DeflateOptions withMinMessageBytes(int value) {
    return new DeflateOptions(level, serverNoContextTakeover, clientNoContextTakeover, value);
  }
}
