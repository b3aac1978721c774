package dev.wharf.cli.socket;

import dev.wharf.cli.HostPort;
import dev.wharf.cli.IpFamily;
import dev.wharf.cli.Target;
import dev.wharf.core.Transport;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that {@code listen}, {@code connect} and {@code echo} share (a picocli mixin), and
 * the rules that turn them and the positional arguments into a {@link Target}. Parsing only: it
 * opens nothing.
 */
final class SocketArgs {
  @Option(names = "--udp", description = "Use UDP instead of TCP.")
  boolean udp;

  @Option(
      names = "--unix",
      paramLabel = "PATH",
      description = "Use a Unix-domain stream socket at PATH instead of TCP (no HOST or PORT).")
  Path unix;

  @Option(names = "-4", description = "Use IPv4 addresses only.")
  boolean ipv4;

  @Option(names = "-6", description = "Use IPv6 addresses only.")
  boolean ipv6;

  @Option(
      names = {"-v", "--verbose"},
      description =
          "Tell the socket's story on stderr: addresses, options, timings, bytes each way and who"
              + " closed first.")
  boolean verbose;

  IpFamily family() {
    if (ipv4 && ipv6) {
      throw new IllegalArgumentException("-4 and -6 exclude each other");
    }
    return ipv4 ? IpFamily.IPV4 : ipv6 ? IpFamily.IPV6 : IpFamily.ANY;
  }

  private Transport inetTransport() {
    if (udp && unix != null) {
      throw new IllegalArgumentException("--udp and --unix exclude each other");
    }
    return udp ? Transport.UDP : Transport.TCP;
  }

  /** A server's target from its optional {@code [HOST:]PORT} argument. */
  Target serverTarget(String address) {
    Transport transport = inetTransport();
    IpFamily family = family();
    if (unix != null) {
      if (address != null) {
        throw new IllegalArgumentException(
            "--unix takes the place of [HOST:]PORT: drop " + address);
      }
      return new Target.Unix(unix);
    }
    if (address == null) {
      throw new IllegalArgumentException("give a [HOST:]PORT to listen on, or --unix PATH");
    }
    return new Target.Inet(transport, HostPort.parse(address, family.wildcard()), family);
  }

  /** A client's target from {@code HOST PORT} (or {@code HOST:PORT}). */
  Target clientTarget(List<String> args) {
    Transport transport = inetTransport();
    IpFamily family = family();
    if (unix != null) {
      if (!args.isEmpty()) {
        throw new IllegalArgumentException(
            "--unix takes the place of HOST PORT: drop " + String.join(" ", args));
      }
      return new Target.Unix(unix);
    }
    HostPort address =
        switch (args.size()) {
          case 0 ->
              throw new IllegalArgumentException("give HOST PORT to connect to, or --unix PATH");
          case 1 -> clientAddress(args.getFirst());
          case 2 -> new HostPort(HostPort.host(args.get(0)), HostPort.port(args.get(1)));
          default ->
              throw new IllegalArgumentException(
                  "expected HOST PORT, got " + args.size() + " arguments");
        };
    return new Target.Inet(transport, address, family);
  }

  private static HostPort clientAddress(String arg) {
    if (!arg.contains(":")) {
      throw new IllegalArgumentException("give a PORT after the host " + arg);
    }
    HostPort address = HostPort.parse(arg, "");
    if (address.host().isEmpty()) {
      throw new IllegalArgumentException("give a HOST before the port in " + arg);
    }
    return address;
  }
}
