package dev.wharf.http.client;

import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsSession;
import java.nio.ByteBuffer;

/**
 * The protocol of a TLS connection that offered {@code h2} and {@code http/1.1} by ALPN: once the
 * handshake is done (when {@link #opened} is called) it hands the connection to HTTP/2 if the
 * server chose {@code h2}, else to HTTP/1.1 (RFC 9113 §3.2: a server that knows no ALPN, or prefers
 * HTTP/1.1, is spoken to in HTTP/1.1). Runs on the connection's loop; {@link #choseHttp2} may be
 * read from any thread once the connect has completed.
 */
final class AlpnChoice implements Protocol {
  private final Protocol http1;
  private final Protocol http2;
  private volatile boolean choseHttp2;

  AlpnChoice(Protocol http1, Protocol http2) {
    this.http1 = http1;
    this.http2 = http2;
  }

  @Override
  public void opened(Connection connection) {
    choseHttp2 =
        TlsSession.of(connection)
            .flatMap(TlsSession::applicationProtocol)
            .filter("h2"::equals)
            .isPresent();
    connection.switchProtocol(choseHttp2 ? http2 : http1, ByteBuffer.allocate(0));
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    // Never called: opened() hands the connection on before any byte is read.
    throw new IllegalStateException("no protocol chosen yet");
  }

  boolean choseHttp2() {
    return choseHttp2;
  }

  @Override
  public String name() {
    return "alpn h2/http1.1";
  }
}
