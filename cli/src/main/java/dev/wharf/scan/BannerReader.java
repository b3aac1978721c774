package dev.wharf.scan;

import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.Protocol;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The protocol of one open port's connection: closes it at once, or first reads what the service
 * says unasked (an SSH, SMTP or FTP greeting) for up to {@code wait}, until a line ends or 512
 * bytes came. Its methods run on the connection's event loop.
 */
final class BannerReader implements Protocol {
  static final int MAX_BYTES = 512;

  private final int port;
  private final Duration wait;
  private final CompletableFuture<PortResult> result = new CompletableFuture<>();
  private final ByteArrayOutputStream said = new ByteArrayOutputStream(); // Loop only.

  BannerReader(int port, Duration wait) {
    this.port = port;
    this.wait = wait;
  }

  /** Completes when the connection has closed, with the port open and its banner. */
  CompletableFuture<PortResult> result() {
    return result;
  }

  @Override
  public void opened(Connection connection) {
    if (wait.isZero() || wait.isNegative()) {
      connection.close();
      return;
    }
    connection.wakeUpAt(connection.nanoTime() + wait.toNanos());
  }

  @Override
  public void received(Connection connection, ByteBuffer data) {
    while (data.hasRemaining() && said.size() < MAX_BYTES) {
      byte b = data.get();
      said.write(b);
      if (b == '\n') {
        connection.close();
        return;
      }
    }
    data.position(data.limit());
    if (said.size() >= MAX_BYTES) {
      connection.close();
    }
  }

  @Override
  public void inputClosed(Connection connection) {
    connection.close();
  }

  @Override
  public void wakeUp(Connection connection) {
    connection.close();
  }

  @Override
  public void closed(Connection connection, CloseReason reason) {
    result.complete(new PortResult(port, PortState.OPEN, "syn-ack", printable(said.toByteArray())));
  }

  /** The bytes as text a terminal shows safely: Latin-1, controls as {@code \xNN}, trimmed. */
  static String printable(byte[] bytes) {
    var out = new StringBuilder(bytes.length);
    for (byte raw : bytes) {
      int b = raw & 0xff;
      if (b >= 0x20 && b < 0x7f) {
        out.append((char) b);
      } else if (b == '\r' || b == '\n') {
        out.append(' ');
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    return out.toString().strip();
  }

  @Override
  public String name() {
    return "scan-banner";
  }
}
