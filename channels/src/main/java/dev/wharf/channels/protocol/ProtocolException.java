package dev.wharf.channels.protocol;

import java.util.Optional;

/**
 * A client's message broke the protocol: carries the error reply's code and message, and the
 * request's id when it could be read (the reply echoes it). Unchecked, as the wire answer of a peer
 * that broke the rules is (STYLE.md).
 */
public final class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String rawId;

  public ProtocolException(ErrorCode code, String message, String rawId) {
    super(message, null, false, false);
    this.code = code;
    this.rawId = rawId;
  }

  public ProtocolException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ErrorCode code() {
    return code;
  }

  /** The request's id as its JSON text, if it was read. */
  public Optional<String> rawId() {
    return Optional.ofNullable(rawId);
  }

  ProtocolException withId(String id) {
    return rawId != null || id == null ? this : new ProtocolException(code, getMessage(), id);
  }
}
