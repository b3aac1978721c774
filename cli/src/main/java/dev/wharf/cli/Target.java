package dev.wharf.cli;

import dev.wharf.core.Transport;
import java.nio.file.Path;

/** Where a command listens or connects: a TCP or UDP host and port, or a Unix socket file. */
public sealed interface Target permits Target.Inet, Target.Unix {

  Transport transport();

  /** A TCP or UDP address, not yet resolved. */
  record Inet(Transport transport, HostPort address, IpFamily family) implements Target {
    @Override
    public String toString() {
      return transport.label() + " " + address;
    }
  }

  /** A Unix-domain stream socket file. */
  record Unix(Path path) implements Target {
    @Override
    public Transport transport() {
      return Transport.UNIX;
    }

    @Override
    public String toString() {
      return "unix " + path;
    }
  }
}
