package dev.wharf.http.h2.hpack;

/**
 * Receives the fields of a header block from {@link HpackDecoder}, in the block's order, pseudo
 * fields included, names exactly as sent. Called on the connection's event loop during {@link
 * HpackDecoder#decode}.
 *
 * <p>This is the hook for HTTP/2's own rules, which HPACK does not know: lowercase names, pseudo
 * fields first and only the defined ones, no connection-specific fields (RFC 9113 §8.2, §8.3). A
 * sink that finds a field malformed should remember it and let the block finish, then the
 * connection answers with a stream error: throwing from here leaves the dynamic table out of step
 * with the peer's, so the decoder refuses every later block.
 */
@FunctionalInterface
public interface HeaderSink {
  /** One field; names and values are ISO-8859-1 strings, one char per octet. */
  void field(String name, String value);
}
