package dev.wharf.dns.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.ResourceRecord;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    assertThatThrownBy(() -> parse("$INCLUDE other.zone\n"))
        .hasMessage("example.zone:1: the directive $INCLUDE is not supported");
    assertThatThrownBy(() -> parse("$ORIGIN t.\nx IN A 192.0.2.1\n"))
        .hasMessage("example.zone:2: no TTL: give one, or a $TTL line before");
    assertThatThrownBy(() -> parse("$ORIGIN t.\n$TTL 60\nx IN TYPE9 \\# 4 0A0000\n"))
        .hasMessage("example.zone:3: \\# announces 4 octets but the hexadecimal holds 3");
    assertThatThrownBy(() -> parse("$ORIGIN t.\n$TTL 60\nx IN TYPE1 \\# 3 0A0000\n"))
        .hasMessageStartingWith(
            "example.zone:3: the \\# data is no valid A data: answer record 1 (A) holds 3 octets");
  }
}
