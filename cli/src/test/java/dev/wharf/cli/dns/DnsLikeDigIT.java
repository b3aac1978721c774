package dev.wharf.cli.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.MainTest;
import dev.wharf.testkit.DnsTestZones;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.NsdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code wharf dns} and {@code dig} ask NSD the same questions with the same words; their outputs
 * must agree field by field: opcode, status, flags, counts, EDNS, and every section's records;
 * {@code +short} line for line; {@code --json} must parse (Python's json module).
 */
class DnsLikeDigIT extends EndToEnd {
  @TempDir static Path zones;
  private static NsdServer nsd;

  @BeforeAll
  static void startNsd() throws Exception {
    nsd = NsdServer.start(zones, DnsTestZones.all());
  }

  @AfterAll
  static void stopNsd() {
    if (nsd != null) {
      nsd.close();
    }
  }

  /** The questions, in dig's words; the server and port are added to each. */
  static Stream<List<String>> queries() {
    return Stream.of(
        List.of("www.example.test"),
        List.of("www.example.test", "AAAA"),
        List.of("mapped.example.test", "AAAA"),
        List.of("alias.example.test", "A"),
        List.of("example.test", "MX"),
        List.of("example.test", "NS"),
        List.of("example.test", "SOA"),
        List.of("txt.example.test", "TXT"),
        List.of("_sip._tcp.example.test", "SRV"),
        List.of("example.test", "CAA"),
        List.of("svc.example.test", "HTTPS"),
        List.of("svc2.example.test", "SVCB"),
        List.of("svc3.example.test", "SVCB"),
        List.of("unknown.example.test", "TYPE65534"),
        List.of("unknownbig.example.test", "TYPE65533"),
        List.of("ptr.example.test", "PTR"),
        List.of("big.example.test", "TXT"),
        List.of("nope.example.test", "A"),
        List.of("www.example.test", "MX"),
        List.of("host.sub.example.test", "A"),
        List.of("outside.example.org", "A"),
        List.of("-x", "192.0.2.1"),
        List.of("-x", "2001:db8::1"),
        List.of("www.example.test", "+norec"),
        List.of("www.example.test", "+tcp"),
        List.of("www.example.test", "+dnssec"),
        List.of("www.example.test", "+noedns"),
        List.of("big.example.test", "TXT", "+noedns"));
  }

  private static List<String> withServer(String server, List<String> words) {
    var args = new ArrayList<String>(List.of("@" + server, "-p", Integer.toString(nsd.port())));
    args.addAll(words);
    return args;
  }

  private static String dig(List<String> args) throws Exception {
    var command = new ArrayList<String>(List.of("dig", "+tries=1", "+time=5", "+nocookie"));
    command.addAll(args);
    ExternalProcess.Result result = ExternalProcess.run(Duration.ofSeconds(30), command);
    assertThat(result.exit()).as("dig %s: %s", args, result.err()).isZero();
    return result.out();
  }

  private static String wharf(List<String> args) {
    var all = new ArrayList<String>(List.of("dns", "+tries=1", "+time=5"));
    all.addAll(args);
    MainTest.Run run = MainTest.run(all.toArray(String[]::new));
    assertThat(run.exitCode()).as("wharf %s: %s", args, run.err()).isZero();
    return run.out();
  }

  @ParameterizedTest
  @MethodSource("queries")
  void theOutputHasDigsFields(List<String> words) throws Exception {
    for (String server : List.of("127.0.0.1", "::1")) {
      List<String> args = withServer(server, words);
      DigOutput theirs = DigOutput.parse(dig(args));
      DigOutput ours = DigOutput.parse(wharf(args));
      assertThat(theirs.sections()).as("dig's sections of %s", args).containsKey("QUESTION");
      assertThat(ours.opcode()).as("opcode of %s", args).isEqualTo(theirs.opcode()).isNotNull();
      assertThat(ours.status()).as("status of %s", args).isEqualTo(theirs.status());
      assertThat(ours.flags()).as("flags of %s", args).isEqualTo(theirs.flags());
      assertThat(ours.counts()).as("counts of %s", args).isEqualTo(theirs.counts());
      assertThat(ours.edns()).as("EDNS of %s", args).isEqualTo(theirs.edns());
      assertThat(ours.sections()).as("sections of %s", args).isEqualTo(theirs.sections());
      assertThat(ours.transport()).as("transport of %s", args).isEqualTo(theirs.transport());
    }
  }

  @ParameterizedTest
  @MethodSource("queries")
  void shortIsDigsShort(List<String> words) throws Exception {
    List<String> args = withServer("127.0.0.1", words);
    args.add("+short");
    assertThat(sorted(wharf(args))).as("+short of %s", args).isEqualTo(sorted(dig(args)));
  }

  private static List<String> sorted(String text) {
    return text.lines().sorted().toList();
  }

  @Test
  void theLargeAnswerSaysItWasRetriedOverTcp() {
    String out = wharf(withServer("127.0.0.1", List.of("big.example.test", "TXT")));
    assertThat(out).contains(";; Truncated, retrying in TCP mode.");
    assertThat(out).contains("(TCP)");
  }

  @Test
  void jsonParsesAndHoldsTheAnswer() throws Exception {
    Path json = dir.resolve("answer.json");
    Files.writeString(json, wharf(withServer("::1", List.of("txt.example.test", "TXT", "--json"))));
    ExternalProcess.Result parsed =
        ExternalProcess.run(
            Duration.ofSeconds(30),
            "/usr/bin/python3",
            "-c",
            "import json,sys; d=json.load(open(sys.argv[1])); a=d['answer'][0];"
                + " print(d['status'], ' '.join(d['flags']), a['type'], a['data'], d['server'],"
                + " d['transport'])",
            json.toString());
    assertThat(parsed.exit()).as(parsed.err()).isZero();
    assertThat(parsed.out().strip())
        .isEqualTo(
            "NOERROR qr aa rd TXT \"hello world\" \"quote\\\"back\\\\slash\" \"tab\\009high\\200\""
                + " ::1#"
                + nsd.port()
                + " udp");
  }

  @Test
  void noReplyIsExitNineOnOneLineAsDigs() throws Exception {
    // A port nothing listens on: the ICMP refusal ends each try at once.
    Path out = dir.resolve("out");
    int port = closedPort();
    Child child =
        wharf(
            null,
            out,
            "dns",
            "@127.0.0.1",
            "-p",
            Integer.toString(port),
            "+time=5",
            "+tries=2",
            "www.example.test");
    assertThat(child.awaitExit()).isEqualTo(9);
    assertThat(child.errLines())
        .containsExactly(
            "wharf dns: communications error to 127.0.0.1#"
                + port
                + ": connection refused (2 tries)");
    assertThat(Files.readString(out)).isEmpty();
  }
}
