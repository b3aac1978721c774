package dev.wharf.dns.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.ResourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZoneFileParserTest {
  private static final Path FILE = Path.of("example.zone");

  private static List<ResourceRecord> parse(String text) throws ZoneFileException {
    return ZoneFileParser.parse(FILE, text, null);
  }

  @Test
  void originTtlRelativeNamesBlankOwnersAndParentheses() throws Exception {
    List<ResourceRecord> records =
        parse(
            """
            $ORIGIN example.test.
            $TTL 300
            @   IN SOA ns1 hostmaster (
                    2026120301 ; serial
                    7200 3600 1209600 60 )
            www 60 IN A 192.0.2.1
                IN AAAA 2001:db8::1   ; the owner of the line before
            mail.example.net. MX 10 @
            txt TXT "a \\"quoted\\" word" plain \\065
            """);
    assertThat(records.stream().map(ResourceRecord::toText))
        .containsExactly(
            "example.test.\t\t300\tIN\tSOA\tns1.example.test. hostmaster.example.test. 2026120301"
                + " 7200 3600 1209600 60",
            "www.example.test.\t60\tIN\tA\t192.0.2.1",
            "www.example.test.\t300\tIN\tAAAA\t2001:db8::1",
            "mail.example.net.\t300\tIN\tMX\t10 example.test.",
            "txt.example.test.\t300\tIN\tTXT\t\"a \\\"quoted\\\" word\" \"plain\" \"A\"");
    assertThat(Zone.of(records.subList(0, 3)).apex()).isEqualTo(DnsName.parse("example.test"));
  }

  @Test
  void unknownTypesInRfc3597Form() throws Exception {
    ResourceRecord record = parse("$ORIGIN t.\nx 60 IN TYPE65534 \\# 4 0A000001\n").getFirst();
    assertThat(record.type()).isEqualTo(65534);
    assertThat(record.data().toText()).isEqualTo("\\# 4 0A000001");
  }

  @Test
  void includedFilesTakeTheirOwnOriginAndLeaveOursAsItWas(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("parts"));
    Files.writeString(dir.resolve("parts/hosts.inc"), "www IN A 192.0.2.1\nmail IN A 192.0.2.2\n");
    Files.writeString(dir.resolve("parts/sub.inc"), "$TTL 5\nhost IN A 192.0.2.3\n");
    Path main =
        Files.writeString(
            dir.resolve("example.zone"),
            """
            $ORIGIN example.test.
            $TTL 300
            @ IN SOA ns1 hostmaster 1 7200 3600 1209600 60
            $INCLUDE parts/hosts.inc
            $INCLUDE "parts/sub.inc" sub.example.test.
            after IN A 192.0.2.4
            """);
    assertThat(ZoneFileParser.read(main, null).stream().map(ResourceRecord::toText).skip(1))
        .containsExactly(
            "www.example.test.\t300\tIN\tA\t192.0.2.1",
            "mail.example.test.\t300\tIN\tA\t192.0.2.2",
            "host.sub.example.test.\t5\tIN\tA\t192.0.2.3",
            "after.example.test.\t300\tIN\tA\t192.0.2.4");
  }

  @Test
  void includeMistakesNameTheIncludedFileAndItsLine(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("bad.inc"), "www IN A 192.0.2.1\nwww IN A nope\n");
    Path main = Files.writeString(dir.resolve("a.zone"), "$ORIGIN t.\n$TTL 60\n$INCLUDE bad.inc\n");
    assertThatThrownBy(() -> ZoneFileParser.read(main, null))
        .hasMessage(dir.resolve("bad.inc") + ":2: 'nope' is not an address");

    Path missing = Files.writeString(dir.resolve("b.zone"), "$ORIGIN t.\n$INCLUDE gone.inc\n");
    assertThatThrownBy(() -> ZoneFileParser.read(missing, null))
        .hasMessage(missing + ":2: cannot read " + dir.resolve("gone.inc") + ": no such file");

    Path loop = Files.writeString(dir.resolve("loop.zone"), "$ORIGIN t.\n$INCLUDE loop.zone\n");
    assertThatThrownBy(() -> ZoneFileParser.read(loop, null))
        .hasMessageEndingWith(":2: $INCLUDE nests more than 8 deep (does a file include itself?)");

    assertThatThrownBy(() -> ZoneFileParser.read(dir.resolve("none.zone"), null))
        .hasMessage(dir.resolve("none.zone") + ": cannot read it: no such file");
  }

  @Test
  void svcbAndHttpsParametersInKeyValueForm() throws Exception {
    List<ResourceRecord> records =
        parse(
            """
            $ORIGIN example.test.
            $TTL 60
            svc HTTPS 1 . port=8443 alpn="h2,h3" ipv6hint=2001:db8::1 ipv4hint=192.0.2.1,192.0.2.2
            alias SVCB 0 www
            svc3 SVCB 2 svc key667=hello no-default-alpn mandatory=alpn,port alpn=h2 port=443
            odd SVCB 1 . alpn="h2\\\\,x,with space" ech="AEX+DQBB" dohpath="/q{?dns}"
            """);
    assertThat(records.stream().map(r -> r.data().toText()))
        .containsExactly(
            "1 . alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1",
            "0 www.example.test.",
            "2 svc.example.test. mandatory=alpn,port alpn=\"h2\" no-default-alpn port=443"
                + " key667=\"hello\"",
            "1 . alpn=\"h2\\\\,x,with space\" ech=AEX+DQBB key7=\"/q{?dns}\"");
  }

  @Test
  void svcbParameterMistakesSayWhichParameter() {
    String head = "$ORIGIN t.\n$TTL 60\n";
    assertThatThrownBy(() -> parse(head + "s SVCB 1 . port=99999\n"))
        .hasMessage("example.zone:3: '99999' is not a 16-bit number");
    assertThatThrownBy(() -> parse(head + "s SVCB 1 . alpn=h2 alpn=h3\n"))
        .hasMessage("example.zone:3: the SvcParam alpn is given twice");
    assertThatThrownBy(() -> parse(head + "s SVCB 1 . mandatory=port\n"))
        .hasMessage("example.zone:3: mandatory lists port, which the record does not have");
    assertThatThrownBy(() -> parse(head + "s SVCB 1 . colour=blue\n"))
        .hasMessage("example.zone:3: 'colour' is no SvcParam key");
    assertThatThrownBy(() -> parse(head + "s SVCB 1 . ipv4hint=2001:db8::1\n"))
        .hasMessage("example.zone:3: '2001:db8::1' is not an IPv4 address");
    assertThatThrownBy(() -> parse(head + "s SVCB 1 . no-default-alpn=x\n"))
        .hasMessage("example.zone:3: no-default-alpn takes no value");
    assertThatThrownBy(() -> parse(head + "s SVCB 1\n"))
        .hasMessage("example.zone:3: SVCB takes 2 fields, not 1");
  }

  @Test
  void mistakesNameTheFileAndTheLine() {
    assertThatThrownBy(() -> parse("$ORIGIN t.\n$TTL 60\nwww IN A 999.0.0.1\n"))
        .isInstanceOf(ZoneFileException.class)
        .hasMessage("example.zone:3: '999.0.0.1' is not an address");
    assertThatThrownBy(() -> parse("www IN A 192.0.2.1\n"))
        .hasMessage("example.zone:1: the relative name 'www' needs a $ORIGIN");
    assertThatThrownBy(() -> parse("$ORIGIN t.\n$TTL 60\n@ SOA a b (1 2 3\n"))
        .hasMessage("example.zone:3: a '(' is never closed");
    assertThatThrownBy(() -> parse("$ORIGIN t.\n$TTL 60\n@ MX 10\n"))
        .hasMessage("example.zone:3: MX takes 2 fields, not 1");
    assertThatThrownBy(() -> parse("$GENERATE 1-9 host$ A 192.0.2.$\n"))
        .hasMessage("example.zone:1: the directive $GENERATE is not supported");
    assertThatThrownBy(() -> parse("$ORIGIN t.\nx IN A 192.0.2.1\n"))
        .hasMessage("example.zone:2: no TTL: give one, or a $TTL line before");
    assertThatThrownBy(() -> parse("$ORIGIN t.\n$TTL 60\nx IN TYPE9 \\# 4 0A0000\n"))
        .hasMessage("example.zone:3: \\# announces 4 octets but the hexadecimal holds 3");
    assertThatThrownBy(() -> parse("$ORIGIN t.\n$TTL 60\nx IN TYPE1 \\# 3 0A0000\n"))
        .hasMessageStartingWith(
            "example.zone:3: the \\# data is no valid A data: answer record 1 (A) holds 3 octets");
  }
}
