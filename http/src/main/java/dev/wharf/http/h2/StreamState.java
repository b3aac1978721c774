package dev.wharf.http.h2;

/**
 * The states of an HTTP/2 stream (RFC 9113 §5.1); {@link StreamStateMachine} moves between them.
 */
public enum StreamState {
  IDLE,
  RESERVED_LOCAL,
  RESERVED_REMOTE,
  OPEN,
  HALF_CLOSED_LOCAL,
  HALF_CLOSED_REMOTE,
  CLOSED
}
