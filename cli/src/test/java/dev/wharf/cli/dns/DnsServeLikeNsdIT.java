package dev.wharf.cli.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.testkit.DnsTestZones;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.NsdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf dns serve} and NSD serve the same zones; dig asks both the same questions and their
 * answers must agree field by field (status, flags, counts, EDNS, sections, transport).
 */
class DnsServeLikeNsdIT extends EndToEnd {

  @Test
  void digGetsFromWharfWhatItGetsFromNsd() throws Exception {
    Map<String, String> zones =
        Map.of("example.test", DnsTestZones.EXAMPLE, "2.0.192.in-addr.arpa", DnsTestZones.REVERSE);
    Path nsdDir = Files.createDirectories(dir.resolve("nsd"));
    try (NsdServer nsd = NsdServer.start(nsdDir, zones)) {
      var args = new ArrayList<String>(List.of("dns", "serve", "-p", "0"));
      for (var zone : zones.entrySet()) {
        Path file = Files.writeString(dir.resolve(zone.getKey() + ".zone"), zone.getValue());
        args.addAll(List.of("--zone", file.toString()));
      }
      Child serve = wharf(null, dir.resolve("serve.out"), args.toArray(String[]::new));
      int port = Integer.parseInt(serve.awaitErr("on udp and tcp 127\\.0\\.0\\.1:(\\d+)").group(1));
      List<List<String>> queries =
          Stream.of(
                  "www.example.test",
                  "www.example.test AAAA",
                  "mapped.example.test AAAA",
                  "alias.example.test A",
                  "example.test MX",
                  "example.test NS",
                  "example.test SOA",
                  "txt.example.test TXT",
                  "_sip._tcp.example.test SRV",
                  "example.test CAA",
                  "unknown.example.test TYPE65534",
                  "unknownbig.example.test TYPE65533",
                  "ptr.example.test PTR",
                  "big.example.test TXT",
                  "big.example.test TXT +noedns",
                  "big.example.test TXT +bufsize=4096",
                  "nope.example.test A",
                  "www.example.test MX",
                  "host.sub.example.test A",
                  "_tcp.example.test A",
                  "www.example.test +dnssec",
                  "www.example.test +norec",
                  "-x 192.0.2.1",
                  "svc.example.test HTTPS",
                  "svc2.example.test SVCB",
                  "svc3.example.test SVCB",
                  // RFC 4592: one label or several below the wildcard's parent, any type it has,
                  // NODATA for one it lacks, a CNAME from a wildcard followed, and the names that
                  // block it: one that exists, an empty non-terminal, the parent itself.
                  "a.wild.example.test A",
                  "x.y.wild.example.test TXT",
                  "a.wild.example.test AAAA",
                  "a.wild.example.test ANY",
                  "foo.walias.example.test A",
                  "here.wild.example.test A",
                  "below.wild.example.test A",
                  "wild.example.test A",
                  "*.wild.example.test A",
                  "www.example.test ANY",
                  "example.test ANY",
                  "nope.example.test ANY")
              .map(q -> List.of(q.split(" ")))
              .toList();
      for (List<String> query : queries) {
        DigOutput theirs = DigOutput.parse(dig("127.0.0.1", nsd.port(), query));
        DigOutput ours = DigOutput.parse(dig("127.0.0.1", port, query));
        assertThat(ours).as("%s", query).isEqualTo(theirs);
        assertThat(theirs.status()).as("%s", query).isNotNull();
      }
      // Outside every zone: REFUSED (NSD adds an extended error, which is not compared).
      DigOutput refused = DigOutput.parse(dig("127.0.0.1", port, List.of("example.org")));
      assertThat(refused.status()).isEqualTo("REFUSED");
      // Zone transfers: neither serves one (NSD has no provide-xfr here); dig says so alike.
      for (String transfer : List.of("AXFR", "IXFR=1")) {
        String theirs = dig("127.0.0.1", nsd.port(), List.of("example.test", transfer));
        String ours = dig("127.0.0.1", port, List.of("example.test", transfer));
        assertThat(theirs).as(transfer).contains("; Transfer failed.");
        assertThat(ours).as(transfer).contains("; Transfer failed.");
      }
    }
  }

  /**
   * SIGHUP reads the master files again, an included one too; a reload whose file has a mistake
   * names it and keeps serving the zones before, as NSD does.
   */
  @Test
  void sighupReloadsTheZonesAndKeepsThemWhenTheNewOnesAreWrong() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.inc"), "www IN A 192.0.2.1\n");
    Path zone =
        Files.writeString(
            dir.resolve("reload.test.zone"),
            """
            $ORIGIN reload.test.
            $TTL 60
            @ IN SOA ns1 hostmaster 1 7200 3600 1209600 60
            @ IN NS ns1
            ns1 IN A 127.0.0.1
            $INCLUDE hosts.inc
            """);
    Child serve =
        wharf(null, dir.resolve("serve.out"), "dns", "serve", "-p", "0", "--zone", zone.toString());
    int port = Integer.parseInt(serve.awaitErr("on udp and tcp 127\\.0\\.0\\.1:(\\d+)").group(1));
    assertThat(shortAnswer(port, "www.reload.test")).isEqualTo("192.0.2.1");

    Files.writeString(hosts, "www IN A 192.0.2.2\nnew IN A 192.0.2.3\n");
    serve.signal("HUP");
    serve.awaitErr("reloaded 1 zone");
    assertThat(shortAnswer(port, "www.reload.test")).isEqualTo("192.0.2.2");
    assertThat(shortAnswer(port, "new.reload.test")).isEqualTo("192.0.2.3");

    Files.writeString(hosts, "www IN A 192.0.2.999\n");
    serve.signal("HUP");
    serve.awaitErr(
        "reload failed, still serving the zones before: .*hosts.inc:1: '192.0.2.999' is not an address");
    assertThat(shortAnswer(port, "www.reload.test")).isEqualTo("192.0.2.2");
    assertThat(serve.process().isAlive()).isTrue();
  }

  /**
   * --tcp-timeout closes a TCP connection that sends nothing after that long (the default is 10 s:
   * the client's 8 s read would run out first); a timeout of 0 is one line and exit 2.
   */
  @Test
  void tcpTimeoutClosesAnIdleConnectionAndZeroIsRefused() throws Exception {
    Path zone =
        Files.writeString(
            dir.resolve("idle.test.zone"),
            "$ORIGIN idle.test.\n$TTL 60\n@ SOA ns1 host 1 2 3 4 5\n@ NS ns1\nns1 A 127.0.0.1\n");
    Child serve =
        wharf(
            null,
            dir.resolve("idle.out"),
            "dns",
            "serve",
            "-p",
            "0",
            "--tcp-timeout",
            "1",
            "--zone",
            zone.toString());
    int port = Integer.parseInt(serve.awaitErr("on udp and tcp 127\\.0\\.0\\.1:(\\d+)").group(1));
    try (var idle = new java.net.Socket("127.0.0.1", port)) {
      idle.setSoTimeout(8_000);
      assertThat(idle.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(shortAnswer(port, "ns1.idle.test")).isEqualTo("127.0.0.1");

    Child refused =
        wharf(
            null,
            dir.resolve("zero.out"),
            "dns",
            "serve",
            "-p",
            "0",
            "--tcp-timeout",
            "0",
            "--zone",
            zone.toString());
    assertThat(refused.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(refused.errLines())
        .containsExactly(
            "wharf dns serve: --tcp-timeout must be between 0 and 86400 seconds, got 0.0");
  }

  private static String shortAnswer(int port, String name) throws Exception {
    return dig("127.0.0.1", port, List.of(name, "+short")).strip();
  }

  private static String dig(String server, int port, List<String> words) throws Exception {
    var command =
        new ArrayList<String>(
            List.of(
                "dig",
                "@" + server,
                "-p",
                Integer.toString(port),
                "+tries=1",
                "+time=5",
                "+nocookie"));
    command.addAll(words);
    ExternalProcess.Result result = ExternalProcess.run(Duration.ofSeconds(30), command);
    assertThat(result.exit()).as("dig %s: %s", command, result.err()).isZero();
    return result.out();
  }
}
