package dev.wharf.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * NSD (NLnet Labs' authoritative DNS server, Debian package {@code nsd}) serving zones the test
 * gives, on 127.0.0.1 and ::1 at a free port, in the foreground, with its configuration, pid file
 * and state in the test's directory. {@link #close()} stops it (SIGTERM; NSD ends its children).
 * Told {@code username: ""}, NSD drops no privileges, so it runs as whoever runs the tests, root or
 * not (a port above 1023; checked both ways).
 *
 * <p>One per test; the test's thread.
 */
public final class NsdServer implements AutoCloseable {
  private final ExternalProcess process;
  private final int port;

  private NsdServer(ExternalProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Writes each zone ({@code name -> master file text}) into {@code dir} and starts NSD on them;
   * returns once NSD says it started. Tries a few ports, should another process take the one picked
   * between its release and NSD's bind.
   */
  public static NsdServer start(Path dir, Map<String, String> zones) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      var config = new StringBuilder();
      config
          .append("server:\n")
          .append("  ip-address: 127.0.0.1\n")
          .append("  ip-address: ::1\n")
          .append("  port: ")
          .append(port)
          .append('\n')
          .append("  zonesdir: \"")
          .append(dir)
          .append("\"\n")
          .append("  pidfile: \"")
          .append(dir.resolve("nsd.pid"))
          .append("\"\n")
          .append("  database: \"\"\n")
          .append("  username: \"\"\n")
          .append("  xfrdfile: \"")
          .append(dir.resolve("xfrd.state"))
          .append("\"\n")
          .append("  zonelistfile: \"")
          .append(dir.resolve("zone.list"))
          .append("\"\n")
          .append("  server-count: 1\n")
          .append("  verbosity: 1\n")
          .append("remote-control:\n  control-enable: no\n");
      for (var zone : zones.entrySet()) {
        String file = zone.getKey() + ".zone";
        Files.writeString(dir.resolve(file), zone.getValue());
        config
            .append("zone:\n  name: \"")
            .append(zone.getKey())
            .append("\"\n  zonefile: \"")
            .append(file)
            .append("\"\n");
      }
      Path conf = Files.writeString(dir.resolve("nsd.conf"), config.toString());
      ExternalProcess process = ExternalProcess.start(List.of("nsd", "-d", "-c", conf.toString()));
      try {
        process.awaitOutput(
            "nsd to start",
            Duration.ofSeconds(20),
            out -> out.contains("nsd started") || out.contains("can't bind"));
      } catch (AssertionError e) {
        process.close();
        throw new IOException("nsd did not start: " + process.output(), e);
      }
      if (process.output().contains("nsd started") && !process.output().contains("error")) {
        return new NsdServer(process, port);
      }
      last = new IOException("nsd failed: " + process.output());
      process.close();
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The port it serves on, UDP and TCP, on 127.0.0.1 and ::1. */
  public int port() {
    return port;
  }

  /** What NSD logged so far. */
  public String log() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
  }
}
