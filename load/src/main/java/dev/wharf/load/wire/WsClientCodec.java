package dev.wharf.load.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client half of RFC 6455 the generator needs, written out so it costs the generator as little
 * as possible: the opening handshake over a blocking channel, and masked frames put into buffers.
 */
public final class WsClientCodec {
  public static final int OP_CONTINUATION = 0;
  public static final int OP_TEXT = 1;
  public static final int OP_BINARY = 2;
  public static final int OP_CLOSE = 8;
  public static final int OP_PING = 9;
  public static final int OP_PONG = 10;

  /** The bytes a permessage-deflate sender removes from each message's end (RFC 7692 §7.2.1). */
  public static final byte[] DEFLATE_TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WsClientCodec() {}

  /** What the server agreed to in its 101 answer. */
  public record Agreement(String extensions) {
    public boolean deflate() {
      return extensions.contains("permessage-deflate");
    }

    /** The server asks the client to compress each message afresh. */
    public boolean clientNoContextTakeover() {
      return extensions.contains("client_no_context_takeover");
    }

    public boolean serverNoContextTakeover() {
      return extensions.contains("server_no_context_takeover");
    }
  }

  /**
   * Runs the opening handshake on a connected blocking channel and checks the answer: 101,
   * Sec-WebSocket-Accept, and permessage-deflate exactly when offered.
   */
  public static Agreement handshake(
      SocketChannel ch, String host, int port, String path, boolean deflate) throws IOException {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    String request =
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + key
            + "\r\nSec-WebSocket-Version: 13\r\n"
            + (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "")
            + "\r\n";
    ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
    while (out.hasRemaining()) {
      ch.write(out);
    }
    String head = readHead(ch);
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + head.lines().findFirst().orElse(""));
    }
    String accept = header(head, "sec-websocket-accept");
    if (!acceptFor(key).equals(accept)) {
      throw new IOException("wrong Sec-WebSocket-Accept: " + accept);
    }
    String extensions = header(head, "sec-websocket-extensions");
    var agreement = new Agreement(extensions == null ? "" : extensions);
    if (agreement.deflate() != deflate) {
      throw new IOException("permessage-deflate offered " + deflate + ", agreed: " + extensions);
    }
    return agreement;
  }

  /** The response head, up to and without its blank line; the server sends nothing after it. */
  private static String readHead(SocketChannel ch) throws IOException {
    ByteBuffer in = ByteBuffer.allocate(4096);
    while (true) {
      if (ch.read(in) < 0) {
        throw new IOException("closed during the handshake");
      }
      String text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        if (end + 4 != text.length()) {
          throw new IOException("bytes after the 101 before any message was sent");
        }
        return text.substring(0, end);
      }
      if (!in.hasRemaining()) {
        throw new IOException("handshake answer longer than 4 KiB");
      }
    }
  }

  private static String header(String head, String lowerName) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(lowerName)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  public static String acceptFor(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes of a client frame's header (with the mask key) for a payload of {@code length}. */
  public static int headerLength(int length) {
    return (length < 126 ? 2 : length < 65536 ? 4 : 10) + 4;
  }

  /**
   * Puts one final, masked client frame into {@code out}: header, mask key, {@code length} bytes of
   * {@code payload} from {@code offset} XORed with the key.
   */
  public static void putFrame(
      ByteBuffer out,
      int opcode,
      boolean rsv1,
      byte[] payload,
      int offset,
      int length,
      int maskKey) {
    out.put((byte) (0x80 | (rsv1 ? 0x40 : 0) | opcode));
    if (length < 126) {
      out.put((byte) (0x80 | length));
    } else if (length < 65536) {
      out.put((byte) (0x80 | 126)).putShort((short) length);
    } else {
      out.put((byte) (0x80 | 127)).putLong(length);
    }
    out.putInt(maskKey);
    for (int i = 0; i < length; i++) {
      out.put((byte) (payload[offset + i] ^ (maskKey >>> (8 * (3 - (i & 3))))));
    }
  }

  /** A whole masked frame as bytes. */
  public static byte[] frame(int opcode, boolean rsv1, byte[] payload, int maskKey) {
    ByteBuffer b = ByteBuffer.allocate(headerLength(payload.length) + payload.length);
    putFrame(b, opcode, rsv1, payload, 0, payload.length, maskKey);
    return b.array();
  }
}
