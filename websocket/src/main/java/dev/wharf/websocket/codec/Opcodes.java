package dev.wharf.websocket.codec;

/** Frame opcodes (RFC 6455 §5.2), as the 4-bit numbers they are on the wire. */
public final class Opcodes {
  private Opcodes() {}

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** Close, Ping and Pong: at most 125 bytes, never fragmented (RFC 6455 §5.5). */
  public static boolean isControl(int opcode) {
    return (opcode & 0x8) != 0;
  }

  /** Whether RFC 6455 defines the opcode; the others are reserved (§5.2). */
  public static boolean isKnown(int opcode) {
    return opcode <= BINARY || (opcode >= CLOSE && opcode <= PONG);
  }

  public static String name(int opcode) {
    return switch (opcode) {
      case CONTINUATION -> "continuation";
      case TEXT -> "text";
      case BINARY -> "binary";
      case CLOSE -> "close";
      case PING -> "ping";
      case PONG -> "pong";
      default -> "reserved opcode " + opcode;
    };
  }
}
