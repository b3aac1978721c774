package dev.wharf.http.server;

/**
 * A handler for a blocking route that can answer some requests at once, without blocking: a static
 * file it already holds in memory, say. The server asks it first, on the connection's event loop,
 * and hands the request to a virtual thread ({@link #handle}) only when it declines, so an answer
 * it knows costs no thread hand-off, no wake-up of the loop and no second pass through the
 * selector.
 *
 * <p>{@link #handleWithoutBlocking} runs on the event loop: it must not block, and when it returns
 * false it must have left the response untouched.
 */
public interface LoopFirstHandler extends Handler {

  /**
   * Answers the request if that takes no blocking call, and says whether it did.
   *
   * @return true if the response was sent (or begun, to be ended without blocking); false to have
   *     {@link #handle} called on a virtual thread instead
   */
  boolean handleWithoutBlocking(ServerRequest request, ServerResponse response) throws Exception;
}
