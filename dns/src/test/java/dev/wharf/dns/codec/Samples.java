package dev.wharf.dns.codec;

import java.util.HexFormat;
import java.util.List;

/** Messages the codec tests share: one response holding a record of every type. */
final class Samples {
  private Samples() {}

  static DnsName name(String text) {
    return DnsName.parse(text);
  }

  static Octets hex(String hex) {
    return Octets.of(HexFormat.of().parseHex(hex));
  }

  static ResourceRecord record(String owner, int type, RData data) {
    return new ResourceRecord(name(owner), type, RecordClass.IN, 3600, data);
  }

  /** A response with every record type in its sections, EDNS included. */
  static Message everyType() {
    var answers =
        List.of(
            record("www.example.test", RecordType.A, new RData.A(hex("c0000201"))),
            record(
                "www.example.test",
                RecordType.AAAA,
                new RData.Aaaa(hex("20010db8000000000000000000000001"))),
            record(
                "alias.example.test", RecordType.CNAME, new RData.Target(name("www.example.test"))),
            record("example.test", RecordType.NS, new RData.Target(name("ns1.example.test"))),
            record("ptr.example.test", RecordType.PTR, new RData.Target(name("WWW.Example.Test"))),
            record("example.test", RecordType.MX, new RData.Mx(10, name("mail.example.test"))),
            record(
                "txt.example.test",
                RecordType.TXT,
                new RData.Txt(
                    List.of(Octets.latin1("hello world"), Octets.latin1("a\"b\\c\u0080")))),
            record(
                "_sip._tcp.example.test",
                RecordType.SRV,
                new RData.Srv(10, 60, 5060, name("sip.example.test"))),
            record(
                "example.test",
                RecordType.CAA,
                new RData.Caa(0, Octets.latin1("issue"), Octets.latin1("letsencrypt.org"))),
            record(
                "svc.example.test",
                RecordType.HTTPS,
                new RData.Svcb(
                    1,
                    DnsName.ROOT,
                    List.of(
                        new SvcParam(SvcParam.ALPN, hex("026832026833")),
                        new SvcParam(SvcParam.PORT, hex("20fb"))))),
            record("unknown.example.test", 65534, new RData.Unknown(hex("0a000001"))));
    var authority =
        List.of(
            record(
                "example.test",
                RecordType.SOA,
                new RData.Soa(
                    name("ns1.example.test"),
                    name("hostmaster.example.test"),
                    2026120301L,
                    7200,
                    3600,
                    1209600,
                    300)));
    var additional =
        List.of(
            record("ns1.example.test", RecordType.A, new RData.A(hex("7f000001"))),
            new Edns(1232, 0, 0, Edns.DO, List.of(new EdnsOption(10, hex("0102030405060708"))))
                .toRecord());
    return new Message(
        new Header(0x1234, Header.QR | Header.AA | Header.RD),
        List.of(new Question(name("www.example.test"), RecordType.A, RecordClass.IN)),
        answers,
        authority,
        additional);
  }
}
