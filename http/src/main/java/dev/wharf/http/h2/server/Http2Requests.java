package dev.wharf.http.h2.server;

import dev.wharf.http.RequestHead;

/**
 * What the HTTP server plugs into an {@link Http2ServerConnection}: how to receive a request's body
 * and who answers it. Called on the connection's loop.
 */
public interface Http2Requests {

  /**
   * How a request's body is received: whole, up to {@code maxBodyBytes} (the request is handed on
   * once it has all come), or streamed to a handler that starts at once and reads it as it comes.
   */
  record BodyPolicy(long maxBodyBytes, boolean streamed) {}

  /** The head of a new request arrived: how shall its body be received? */
  BodyPolicy bodyPolicy(RequestHead head);

  /** A request to answer, through the stream's response methods. */
  void request(Http2ServerStream stream);

  /**
   * A request refused before any handler saw it ({@code status}: 413, 431, 503): answer it with
   * that status.
   */
  void refuse(Http2ServerStream stream, int status, String message);
}
