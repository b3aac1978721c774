package dev.wharf.http.client;

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
 */
public record ClientResponse(
    ResponseHead head, byte[] body, ExchangeTimings timings, List<String> redirects) {

  public int status() {
    return head.status();
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
