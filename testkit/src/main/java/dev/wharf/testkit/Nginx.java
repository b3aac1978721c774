package dev.wharf.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's nginx ({@code /usr/sbin/nginx}) as an HTTP/2 peer for a test, run in the foreground as
 * one process from a directory the test owns: an HTTPS port speaking h2 and http/1.1 by ALPN with
 * {@link TestCertificates#serverCert()}, and a cleartext port speaking h2c by prior knowledge (RFC
 * 9113 §3.3), both serving {@link #root()} and taking PUT uploads into it. Nothing of the system's
 * nginx (its config, its service, port 80) is touched. {@link #close()} stops it.
 */
public final class Nginx implements AutoCloseable {
  private final Path dir;
  private final int tlsPort;
  private final int cleartextPort;
  private final ExternalProcess process;

  private Nginx(Path dir, int tlsPort, int cleartextPort, ExternalProcess process) {
    this.dir = dir;
    this.tlsPort = tlsPort;
    this.cleartextPort = cleartextPort;
    this.process = process;
  }

  /**
   * Starts nginx in {@code dir} (its files go there; the served files in {@code dir/www}) and waits
   * until both ports accept connections.
   *
   * @param extraServerDirectives directives added to both server blocks (say, {@code
   *     http2_max_concurrent_streams 4;})
   */
  public static Nginx start(Path dir, TestCertificates certificates, String extraServerDirectives)
      throws IOException {
    Files.createDirectories(dir.resolve("www"));
    Files.createDirectories(dir.resolve("tmp"));
    int tlsPort = freePort();
    int cleartextPort = freePort();
    String common =
        "root "
            + dir.resolve("www")
            + "; dav_methods PUT; create_full_put_path on; client_max_body_size 1g; "
            + extraServerDirectives;
    String config =
        String.join(
            "\n",
            "daemon off;",
            "master_process off;",
            "worker_processes 1;",
            "pid " + dir.resolve("nginx.pid") + ";",
            "error_log stderr notice;",
            "events { worker_connections 512; }",
            "http {",
            "  access_log off;",
            "  client_body_temp_path " + dir.resolve("tmp/body") + ";",
            "  proxy_temp_path " + dir.resolve("tmp/proxy") + ";",
            "  fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";",
            "  uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";",
            "  scgi_temp_path " + dir.resolve("tmp/scgi") + ";",
            "  server { listen 127.0.0.1:" + tlsPort + " ssl http2;",
            "    ssl_certificate " + certificates.serverCert() + ";",
            "    ssl_certificate_key " + certificates.serverKey() + ";",
            "    " + common + " }",
            "  server { listen 127.0.0.1:" + cleartextPort + " http2; " + common + " }",
            "}",
            "");
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, config);
    var process =
        ExternalProcess.command(
                "/usr/sbin/nginx", "-p", dir.toString(), "-c", file.toString(), "-e", "stderr")
            .mergeErrors()
            .start();
    var nginx = new Nginx(dir, tlsPort, cleartextPort, process);
    try {
      Await.until(
          "nginx listening on " + tlsPort + " and " + cleartextPort + ": " + process.output(),
          Duration.ofSeconds(15),
          () -> process.isAlive() && accepts(tlsPort) && accepts(cleartextPort));
    } catch (RuntimeException | Error e) {
      nginx.close();
      throw e;
    }
    return nginx;
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The served directory. */
  public Path root() {
    return dir.resolve("www");
  }

  /** The port of h2 (and http/1.1) over TLS. */
  public int tlsPort() {
    return tlsPort;
  }

  /** The port of h2c by prior knowledge. */
  public int cleartextPort() {
    return cleartextPort;
  }

  /** What nginx wrote to its error log (stderr) so far. */
  public String log() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
  }
}
