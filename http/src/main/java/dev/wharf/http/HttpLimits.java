package dev.wharf.http;

/**
 * Size limits on what a peer may send. Past one, the request is answered with the status the limit
 * names and the connection closes.
 *
 * @param maxRequestLineBytes request line, without CRLF (414 URI Too Long)
 * @param maxHeaderBytes the whole header section, or trailer section (431)
 * @param maxHeaderCount number of field lines (431)
 * @param maxBodyBytes request body, declared or chunked (413 Content Too Large)
 */
public record HttpLimits(
    int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes) {

  /** 8 KiB request line, 64 KiB of headers, 100 fields, 10 MiB body. */
  public static final HttpLimits DEFAULTS = new HttpLimits(8 * 1024, 64 * 1024, 100, 10L << 20);

  public HttpLimits {
    if (maxRequestLineBytes < 16 || maxHeaderBytes < 16 || maxHeaderCount < 1 || maxBodyBytes < 0) {
      throw new IllegalArgumentException("limits too small to parse any request");
    }
  }

  public HttpLimits withMaxBodyBytes(long value) {
    return new HttpLimits(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, value);
  }
}
