package dev.wharf.cli.dns;

import dev.wharf.cli.Seconds;
import dev.wharf.cli.Signals;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.dns.server.DnsServer;
import dev.wharf.dns.server.Zone;
import dev.wharf.dns.server.ZoneFileException;
import dev.wharf.dns.server.ZoneFileParser;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wharf dns serve}: an authoritative server for master files, over UDP and TCP. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the zones of RFC 1035 master files, authoritatively, over UDP and TCP on one port:"
          + " answers with AA, CNAMEs followed within the zone, NXDOMAIN and NODATA with the SOA"
          + " in authority, referrals with glue below a zone cut, REFUSED outside its zones, and"
          + " TC when a UDP answer does not fit 512 octets or the client's EDNS size, answers"
          + " from wildcards (RFC 4592).",
      "Master files may use $ORIGIN, $TTL and $INCLUDE. SIGHUP reads them again: the new zones"
          + " are served once all of them read well; a mistake is reported and the old zones"
          + " stay."
    })
public final class DnsServeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--zone", required = true, paramLabel = "FILE", description = "A master file.")
  List<Path> zoneFiles = new ArrayList<>();

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "Default 5353; 0 picks one.")
  int port = 5353;

  @Option(
      names = {"-b", "--bind"},
      paramLabel = "ADDRESS",
      description = "Default 127.0.0.1.")
  String bind = "127.0.0.1";

  @Option(
      names = "--tcp-timeout",
      paramLabel = "SECONDS",
      description =
          "Closes a TCP connection after this long without a byte either way, a query begun and"
              + " never finished included (NSD's tcp-timeout). Default 10.")
  double tcpTimeoutSeconds = DnsServer.DEFAULT_TCP_IDLE_TIMEOUT.toSeconds();

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
    Duration tcpIdle = Seconds.of("--tcp-timeout", tcpTimeoutSeconds);
    List<Zone> zones = readZones();
    InetAddress address;
    try {
      address = InetAddress.ofLiteral(bind);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--bind needs an address, not '" + bind + "'");
    }
    var group = new EventLoopGroup(1, "wharf-dns", false);
    DnsServer server = DnsServer.start(group, new InetSocketAddress(address, port), zones, tcpIdle);
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "wharf dns serve: "
            + zones.size()
            + (zones.size() == 1 ? " zone" : " zones")
            + " on udp and tcp "
            + (bind.contains(":") ? "[" + bind + "]" : bind)
            + ":"
            + server.port());
    err.flush();
    Signals.on("HUP", () -> reload(server, err));
    new CountDownLatch(1).await();
    return 0;
  }

  private List<Zone> readZones() throws ZoneFileException {
    var zones = new ArrayList<Zone>();
    for (Path file : zoneFiles) {
      try {
        zones.add(Zone.of(ZoneFileParser.read(file, null)));
      } catch (IllegalArgumentException e) {
        throw new ZoneFileException(file, e.getMessage());
      }
    }
    return zones;
  }

  /** SIGHUP, as NSD and BIND take it: all zones read again, or none replaced. */
  private synchronized void reload(DnsServer server, PrintWriter err) {
    try {
      List<Zone> zones = readZones();
      server.serve(zones);
      err.println(
          "wharf dns serve: reloaded " + zones.size() + (zones.size() == 1 ? " zone" : " zones"));
    } catch (ZoneFileException e) {
      err.println(
          "wharf dns serve: reload failed, still serving the zones before: " + e.getMessage());
    }
    err.flush();
  }
}
