package dev.wharf.inspect;

/**
 * The address family of a socket, as {@code -4}, {@code -6} and {@code -x} filter it. Any thread.
 */
public enum SocketFamily {
  IPV4,
  IPV6,
  UNIX
}
