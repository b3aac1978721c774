package dev.wharf.http.codec;

import dev.wharf.http.RequestHead;
import java.nio.ByteBuffer;

/**
 * {@code Expect: 100-continue} (RFC 9110 §10.1.1): a client that sends it waits, for a while, for
 * an interim {@code 100 Continue} before it sends the body, so that a server about to refuse the
 * request does not have to read the body first.
 *
 * <p>Stateless and thread-safe; does no I/O.
 */
public final class ExpectContinue {
  private static final byte[] CONTINUE =
      Http1ResponseEncoder.encodeHead(100, dev.wharf.http.Headers.EMPTY);

  private ExpectContinue() {}

  /**
   * Whether the client waits for a 100 before its body: it asked, over HTTP/1.1 (an HTTP/1.0 client
   * cannot read an interim answer, §10.1.1).
   */
  public static boolean isExpected(RequestHead head) {
    return head.headers().hasToken("Expect", "100-continue") && head.version().equals("HTTP/1.1");
  }

  /** {@code HTTP/1.1 100 Continue} and the empty line (read-only; writers copy it). */
  public static ByteBuffer interimResponse() {
    return ByteBuffer.wrap(CONTINUE).asReadOnlyBuffer();
  }
}
