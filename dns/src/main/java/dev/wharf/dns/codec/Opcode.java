package dev.wharf.dns.codec;

/**
 * Header opcodes (RFC 1035 §4.1.1, RFC 1996, RFC 2136) and the names dig prints.
 *
 * <p>Constants only; any thread.
 */
public final class Opcode {
  public static final int QUERY = 0;
  public static final int IQUERY = 1;
  public static final int STATUS = 2;
  public static final int NOTIFY = 4;
  public static final int UPDATE = 5;

  private Opcode() {}

  public static String name(int opcode) {
    return switch (opcode) {
      case QUERY -> "QUERY";
      case IQUERY -> "IQUERY";
      case STATUS -> "STATUS";
      case NOTIFY -> "NOTIFY";
      case UPDATE -> "UPDATE";
      default -> "RESERVED" + opcode;
    };
  }
}
