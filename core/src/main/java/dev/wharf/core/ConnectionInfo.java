package dev.wharf.core;

import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one connection, as {@code wharf sockets --own} and the dashboard show it.
 *
 * @param id unique among this process's connections
 * @param transport TCP or Unix
 * @param side whether we accepted it (server) or opened it (client)
 * @param local our address
 * @param remote the peer's address
 * @param protocol the name of the protocol speaking on it
 * @param state where the connection is in its life
 * @param bytesIn bytes read so far
 * @param bytesOut bytes written so far
 * @param pendingBytes bytes queued and not yet written
 * @param opened when it was opened
 * @param idle time since the last byte in either direction
 * @param closedFirst who closed first (that side keeps TIME-WAIT), once known
 */
public record ConnectionInfo(
    long id,
    Transport transport,
    Side side,
    SocketAddress local,
    SocketAddress remote,
    String protocol,
    ConnectionState state,
    long bytesIn,
    long bytesOut,
    long pendingBytes,
    Instant opened,
    Duration idle,
    ClosedFirst closedFirst) {

  /** Which end opened the connection. */
  public enum Side {
    SERVER,
    CLIENT
  }

  /** Which end sent the first FIN; that end's socket goes through TIME-WAIT. */
  public enum ClosedFirst {
    NOT_YET,
    LOCAL,
    PEER
  }
}
