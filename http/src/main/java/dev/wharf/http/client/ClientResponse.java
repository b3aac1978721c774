package dev.wharf.http.client;

import dev.wharf.http.Headers;
import dev.wharf.http.ResponseHead;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A whole response received by {@link HttpClient}.
 *
 * @param head status and headers of the final response
 * @param body the content
 * @param timings how the exchange went
 * @param redirects the URLs followed to get here, in order
 * @param trailers the trailer fields after the body, {@link Headers#EMPTY} for none
 */
public record ClientResponse(
    ResponseHead head,
    byte[] body,
    ExchangeTimings timings,
    List<String> redirects,
    Headers trailers) {

  /** A response without trailer fields. */
  public ClientResponse(
      ResponseHead head, byte[] body, ExchangeTimings timings, List<String> redirects) {
    this(head, body, timings, redirects, Headers.EMPTY);
  }

  /** The HTTP version it came in: {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}. */
  public String version() {
    return head.version();
  }

  public int status() {
    return head.status();
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
