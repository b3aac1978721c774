package dev.wharf.load;

/** Why a request failed or a response counts against the server; the report counts each kind. */
public enum ErrorKind {
  /** A connection could not be made (refused, unreachable, not within the timeout). */
  CONNECT("connect"),
  /** A request got no complete answer within the timeout; its connection was closed. */
  TIMEOUT("timeout"),
  /** The connection broke under the load: reset by the peer, or a write into a broken pipe. */
  RESET("reset"),
  /** The server closed the connection while requests were in flight. */
  CLOSED("closed"),
  /** The answer broke the protocol: a malformed response, a refused upgrade, a wrong echo. */
  PROTOCOL("protocol"),
  /** The TLS handshake failed (an untrusted certificate, no common protocol). */
  TLS("tls"),
  /** An HTTP response with a 4xx status. */
  STATUS_4XX("status_4xx"),
  /** An HTTP response with a 5xx status. */
  STATUS_5XX("status_5xx");

  private final String label;

  ErrorKind(String label) {
    this.label = label;
  }

  /** Its name in reports and JSON: {@code connect}, {@code status_5xx}. */
  public String label() {
    return label;
  }
}
