package dev.wharf.http.h2.hpack;

/**
 * The peer sent a header block that is not valid HPACK (RFC 7541): the connection answers with a
 * connection error of type COMPRESSION_ERROR (RFC 9113 §4.3), since the two dynamic tables can no
 * longer be trusted to agree. The {@link #reason()} tells what was wrong; the message adds the
 * numbers. A header list over its size limit is not this exception but {@link
 * HpackDecoder.Outcome#HEADER_LIST_TOO_LARGE}.
 */
public final class HpackException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** RFC 9113 §7: the error code of a connection error caused by HPACK. */
  public static final int COMPRESSION_ERROR = 0x9;

  /** What was wrong with the block. */
  public enum Reason {
    /** The block ended inside an integer, a string or a representation. */
    TRUNCATED,
    /** An integer does not fit 31 bits, or spends too many octets (§5.1). */
    INTEGER_OVERFLOW,
    /** Index 0, or an index past the static and dynamic tables (§2.3.3, §6.1). */
    INDEX_OUT_OF_RANGE,
    /** A Huffman string holds the EOS symbol (§5.2). */
    HUFFMAN_EOS,
    /**
     * A Huffman string's padding is longer than 7 bits or not the most significant bits of EOS
     * (§5.2).
     */
    HUFFMAN_PADDING,
    /** A dynamic table size update above the limit we advertised (§4.2, §6.3). */
    SIZE_UPDATE_TOO_LARGE,
    /** A dynamic table size update after the first field of a block (§4.2). */
    SIZE_UPDATE_MISPLACED,
    /** A block that should have begun with a size update, after we lowered our limit (§4.2). */
    SIZE_UPDATE_MISSING
  }

  private final Reason reason;

  HpackException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** What was wrong with the block. */
  public Reason reason() {
    return reason;
  }

  /** The HTTP/2 error code to answer with: always {@link #COMPRESSION_ERROR}. */
  public int errorCode() {
    return COMPRESSION_ERROR;
  }
}
