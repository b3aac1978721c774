package dev.wharf.channels.internal;

import dev.wharf.channels.ClientAuthenticator;
import dev.wharf.channels.InvalidTokenException;

/**
 * What the upgrade decided about a connection, before its first request. Immutable.
 *
 * <pre>
 *   Admitted  --(connect with or without a token)--> connected
 *   Pending   --(connect with a valid token)--------> connected
 *             --(anything else, or the timeout)-----> closed 4001
 *   Refused   --(at once: the error, then)----------> closed 4001 or 4002
 * </pre>
 */
public sealed interface Admission {
  /** The upgrade request was enough (the authenticator, or a valid {@code token} parameter). */
  record Admitted(ClientAuthenticator.Grant grant) implements Admission {}

  /** The connection must present a token in its first request. */
  record Pending() implements Admission {}

  /** The {@code token} parameter was refused; the session says why and closes. */
  record Refused(InvalidTokenException why) implements Admission {}
}
