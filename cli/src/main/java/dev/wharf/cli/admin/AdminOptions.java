package dev.wharf.cli.admin;

import dev.wharf.cli.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --admin [ADDR]}: where the admin listener goes, loopback unless --auth is given. */
public final class AdminOptions {

  /** Where {@code --admin} without a value listens. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:9000";

  @Option(
      names = "--admin",
      arity = "0..1",
      fallbackValue = DEFAULT_ADDRESS,
      paramLabel = "ADDR",
      description = {
        "Also serve an admin dashboard (live sockets, charts, channels), Prometheus metrics at"
            + " /metrics and a JSON snapshot at /api/sockets on [HOST:]PORT (default: "
            + DEFAULT_ADDRESS
            + ").",
        "An address other machines can reach needs --auth. Put DIR before --admin, or write"
            + " --admin=ADDR, so DIR is not taken for the address."
      })
  String admin;

  /** Whether {@code --admin} was given. */
  public boolean enabled() {
    return admin != null;
  }

  /** The address as a URL shows it: IPv6 in brackets. */
  public static String urlHost(InetSocketAddress address) {
    String host = dev.wharf.core.Addresses.host(address.getAddress());
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /**
   * The admin listener's address, checked: a host other than loopback only with credentials, since
   * the dashboard shows every client's address.
   *
   * @throws IllegalArgumentException with one line for the user (never the password)
   */
  public Optional<InetSocketAddress> address(boolean hasAuth) throws IOException {
    if (admin == null) {
      return Optional.empty();
    }
    HostPort hostPort;
    InetAddress host;
    try {
      hostPort = HostPort.parse(admin, "127.0.0.1");
      host = InetAddress.getByName(hostPort.host());
    } catch (IllegalArgumentException | UnknownHostException e) {
      throw new IllegalArgumentException(
          "--admin takes [HOST:]PORT ("
              + e.getMessage()
              + "); put DIR before --admin or write --admin=ADDR",
          e);
    }
    if (!host.isLoopbackAddress() && !hasAuth) {
      throw new IllegalArgumentException(
          "--admin "
              + admin
              + " can be reached from other machines and shows every client: add --auth"
              + " USER:PASSWORD, or bind it to 127.0.0.1");
    }
    return Optional.of(new InetSocketAddress(host, hostPort.port()));
  }
}
