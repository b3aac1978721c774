package dev.wharf.channels;

/**
 * Checks the token a client presents (in its {@code connect} request, or as the {@code token} query
 * parameter of the upgrade) and says what the connection may do: the callback through which a
 * server authorizes clients its own way. {@link JwtVerifier} checks JWTs (HS256, RS256).
 *
 * <p>Called on the connection's event loop: it must not block (no network look-up; verify a
 * signature, read a map). May be called from several loops at once.
 */
@FunctionalInterface
public interface TokenVerifier {

  /**
   * The grant the token carries.
   *
   * @throws InvalidTokenException if the token is not valid; the client gets its message
   */
  ClientAuthenticator.Grant verify(String token);
}
