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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf dns serve} and NSD serve the same zones; dig asks both the same questions and their
 * answers must agree field by field (status, flags, counts, EDNS, sections, transport). The zones
 * without their SVCB and HTTPS records, which the zone parser does not read yet.
 */
class DnsServeLikeNsdIT extends EndToEnd {

  private static String withoutSvcb(String zone) {
    return zone.lines()
        .filter(line -> !line.contains(" SVCB ") && !line.contains(" HTTPS "))
        .collect(Collectors.joining("\n", "", "\n"));
  }

  @Test
  void digGetsFromWharfWhatItGetsFromNsd() throws Exception {
    Map<String, String> zones =
        Map.of(
            "example.test",
            withoutSvcb(DnsTestZones.EXAMPLE),
            "2.0.192.in-addr.arpa",
            DnsTestZones.REVERSE);
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
                  "-x 192.0.2.1")
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
    }
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
