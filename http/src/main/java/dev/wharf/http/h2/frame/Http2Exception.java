package dev.wharf.http.h2.frame;

/**
 * The peer broke HTTP/2 (RFC 9113) or went past one of our limits: carries the error code to answer
 * with and whether the error is a connection error (§5.4.1: GOAWAY, then close) or a stream error
 * (§5.4.2: RST_STREAM on {@link #streamId()}, the connection carries on). Immutable once made.
 */
public final class Http2Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final int streamId;

  private Http2Exception(ErrorCode code, int streamId, String message) {
    super(message);
    this.code = code;
    this.streamId = streamId;
  }

  /** An error that ends the whole connection (RFC 9113 §5.4.1). */
  public static Http2Exception connectionError(ErrorCode code, String message) {
    return new Http2Exception(code, 0, message);
  }

  /** An error that ends stream {@code streamId} only (RFC 9113 §5.4.2). */
  public static Http2Exception streamError(int streamId, ErrorCode code, String message) {
    if (streamId <= 0) {
      throw new IllegalArgumentException("a stream error names a stream, not " + streamId);
    }
    return new Http2Exception(code, streamId, message);
  }

  /** The code to send in GOAWAY or RST_STREAM. */
  public ErrorCode code() {
    return code;
  }

  /** The stream a stream error ends; 0 for a connection error. */
  public int streamId() {
    return streamId;
  }

  public boolean isConnectionError() {
    return streamId == 0;
  }

  public boolean isStreamError() {
    return streamId != 0;
  }

  @Override
  public String getMessage() {
    String where = isConnectionError() ? "connection error " : "stream " + streamId + " error ";
    return where + code + ": " + super.getMessage();
  }
}
