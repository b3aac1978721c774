package dev.wharf.websocket.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.random.RandomGenerator;

/**
 * The opening handshake's arithmetic (RFC 6455 §4): the client's nonce and the server's accept
 * value. Stateless and thread-safe.
 */
public final class Handshake {
  private Handshake() {}

  /** RFC 6455 §1.3: the GUID appended to the key before hashing. */
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** The only version RFC 6455 defines (§4.1). */
  public static final String VERSION = "13";

  /** A new Sec-WebSocket-Key: 16 random bytes in base64 (§4.1). */
  public static String newKey(RandomGenerator random) {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** Whether a Sec-WebSocket-Key is the base64 of 16 bytes (§4.2.1 item 5). */
  public static boolean isValidKey(String key) {
    if (key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)) (§4.2.2 item 5). */
  public static String accept(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1")
              .digest((key.trim() + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
