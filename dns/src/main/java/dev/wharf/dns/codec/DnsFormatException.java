package dev.wharf.dns.codec;

/**
 * A DNS message that breaks RFC 1035 (or a later RFC it names): what was wrong and the offset in
 * the message where it was found. The only exception {@link DnsMessageReader} and {@link
 * DnsTcpFrameDecoder} throw for bad input; a resolver drops such a message, a server answers
 * FORMERR.
 *
 * <p>Immutable; any thread.
 */
public final class DnsFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int offset;

  public DnsFormatException(String reason, int offset) {
    super(reason + " (at offset " + offset + ")");
    this.offset = offset;
  }

  /** Where in the message the fault was found, counted from its first byte. */
  public int offset() {
    return offset;
  }
}
