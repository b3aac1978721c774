package dev.wharf.http;

/**
 * The peer broke HTTP: carries the status to answer with (400, 413, 414, 431, 501, 505). The
 * connection answers and closes; nothing else is affected.
 */
public final class HttpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public HttpException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The status code to answer with. */
  public int status() {
    return status;
  }

  public static HttpException badRequest(String message) {
    return new HttpException(400, message);
  }
}
