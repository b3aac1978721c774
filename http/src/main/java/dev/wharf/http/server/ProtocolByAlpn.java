package dev.wharf.http.server;

import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsSession;
import java.nio.ByteBuffer;

/**
 * Opens a TLS connection with the protocol its handshake agreed on through ALPN: HTTP/2 for {@code
 * h2}, else HTTP/1.1 (also when the client offered no ALPN). It hands the connection on as soon as
 * it opens, before any application byte, so it never sees one.
 */
final class ProtocolByAlpn implements Protocol {
  private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

  private final Dispatcher dispatcher; // the server's, for HTTP/1.1

  ProtocolByAlpn(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  public void opened(Connection connection) {
    boolean h2 =
        TlsSession.of(connection)
            .flatMap(TlsSession::applicationProtocol)
            .filter("h2"::equals)
            .isPresent();
    Protocol next =
        h2
            ? Http2Exchanges.protocol(dispatcher.config())
            : new Http1ServerProtocol(dispatcher, false);
    connection.switchProtocol(next, NOTHING);
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    // Never called: the connection is handed on when it opens.
    connection.protocol().received(connection, data);
  }

  @Override
  public String name() {
    return "alpn";
  }
}
