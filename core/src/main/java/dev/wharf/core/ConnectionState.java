package dev.wharf.core;

/**
 * Where a connection is in its life, as Wharf sees it (the kernel's TCP states, such as TIME-WAIT,
 * are read elsewhere).
 *
 * <pre>
 *   OPEN -+-> OUTPUT_SHUT (we sent FIN) --+-> CLOSED
 *         +-> INPUT_SHUT  (peer sent FIN) -+
 *         +-> DRAINING (close after flush) +
 * </pre>
 */
public enum ConnectionState {
  /** Connected (a connection object exists only once connected or accepted). */
  OPEN,
  /** We shut our output down (sent FIN) and still read. */
  OUTPUT_SHUT,
  /** The peer shut its output down (we read EOF) and we may still write. */
  INPUT_SHUT,
  /** Closing once the queued output is written. */
  DRAINING,
  CLOSED
}
