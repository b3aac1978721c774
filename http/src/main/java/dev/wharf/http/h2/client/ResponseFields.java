package dev.wharf.http.h2.client;

import dev.wharf.http.Headers;
import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.Http2Exception;
import dev.wharf.http.h2.hpack.HeaderSink;
import java.util.Set;

/**
 * Collects one decoded field block of a response, a head or its trailers, and checks it against RFC
 * 9113 §8.2 and §8.3.2: lowercase names, pseudo-header fields only before the others and only
 * {@code :status} (and in a head only), no connection-specific fields. A malformed block is a
 * stream error PROTOCOL_ERROR (§8.1.1), thrown by {@link #check} once the whole block is decoded,
 * so that HPACK's table stays in step. Confined to the connection's loop; one per block.
 */
final class ResponseFields implements HeaderSink {
  private static final Set<String> CONNECTION_SPECIFIC =
      Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

  private final int streamId;
  private final boolean trailers;
  private final Headers.Builder fields = Headers.builder();
  private String status;
  private boolean regularSeen;
  private String malformed;

  /**
   * @param trailers whether the block is a trailer section (no pseudo-header field allowed)
   */
  ResponseFields(int streamId, boolean trailers) {
    this.streamId = streamId;
    this.trailers = trailers;
  }

  @Override
  public void field(String name, String value) {
    if (malformed != null) {
      return;
    }
    if (name.startsWith(":")) {
      // RFC 9113 §8.3: pseudo-header fields come first, only the defined ones, once, and never in
      // trailers (§8.1).
      if (trailers || regularSeen || !name.equals(":status") || status != null) {
        malformed = "pseudo-header field " + name + (trailers ? " in trailers" : " out of place");
      } else {
        status = value;
      }
      return;
    }
    regularSeen = true;
    // RFC 9113 §8.2.1: a field name with uppercase characters is malformed.
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        malformed = "field name with uppercase characters: " + name;
        return;
      }
    }
    // RFC 9113 §8.2.2: connection-specific fields make a message malformed.
    if (CONNECTION_SPECIFIC.contains(name)) {
      malformed = "connection-specific field " + name;
      return;
    }
    fields.add(name, value);
  }

  /**
   * Throws the stream error for a malformed block.
   *
   * @throws Http2Exception a stream error PROTOCOL_ERROR
   */
  void check() {
    if (malformed == null && !trailers && status == null) {
      malformed = "response without :status";
    }
    if (malformed == null && status != null && !status.matches("[1-9][0-9][0-9]")) {
      malformed = ":status " + status + " is not a three-digit code";
    }
    if (malformed != null) {
      // RFC 9113 §8.1.1: a malformed response is a stream error PROTOCOL_ERROR.
      throw Http2Exception.streamError(streamId, ErrorCode.PROTOCOL_ERROR, malformed);
    }
  }

  /** The status code; a head only, after {@link #check}. */
  int status() {
    return Integer.parseInt(status);
  }

  Headers headers() {
    return fields.build();
  }
}
