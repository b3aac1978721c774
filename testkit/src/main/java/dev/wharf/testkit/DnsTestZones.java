package dev.wharf.testkit;

import java.util.Map;

/**
 * The zones the DNS tests serve: a record of every type {@code wharf dns} prints, a TXT set too
 * large for a UDP answer (so it must come over TCP), wildcards (with a name beside them that
 * exists, and an empty non-terminal below them, which both block the wildcard), and a reverse zone.
 * Names under {@code example.test.} (RFC 6761 reserves {@code .test}).
 */
public final class DnsTestZones {
  private DnsTestZones() {}

  /** How many strings the large TXT set {@code big.example.test.} holds (~3 KB of answer). */
  public static final int BIG_TXT_COUNT = 40;

  public static final String EXAMPLE =
      """
      $ORIGIN example.test.
      $TTL 3600
      @ IN SOA ns1 hostmaster 2026120301 7200 3600 1209600 300
      @ IN NS ns1
      ns1 IN A 127.0.0.1
      ns1 IN AAAA ::1
      www IN A 192.0.2.1
      www IN A 192.0.2.2
      www IN AAAA 2001:db8::1
      mapped IN AAAA ::ffff:192.0.2.5
      alias IN CNAME www
      @ IN MX 10 mail
      @ IN MX 20 mail2.example.net.
      mail IN A 192.0.2.25
      txt IN TXT "hello world" "quote\\"back\\\\slash" "tab\\009high\\200"
      _sip._tcp IN SRV 10 60 5060 sip
      sip IN A 192.0.2.50
      @ IN CAA 0 issue "letsencrypt.org"
      @ IN CAA 128 iodef "mailto:sec@example.test"
      svc IN HTTPS 1 . alpn="h2,h3" port=8443 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1
      svc2 IN SVCB 0 www
      svc3 IN SVCB 2 svc mandatory=alpn alpn=h2 no-default-alpn ech="AEX+DQBB" key667=hello
      unknown IN TYPE65534 \\# 4 0A000001
      unknownbig IN TYPE65533 \\# 40 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F2021222324252627
      ptr IN PTR www
      sub IN NS ns.sub
      ns.sub IN A 192.0.2.53
      *.wild IN A 192.0.2.80
      *.wild IN TXT "from the wildcard"
      here.wild IN TXT "not from the wildcard"
      deep.below.wild IN A 192.0.2.81
      *.walias IN CNAME www
      """
          + bigTxt();

  public static final String REVERSE =
      """
      $ORIGIN 2.0.192.in-addr.arpa.
      $TTL 3600
      @ IN SOA ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300
      @ IN NS ns1.example.test.
      1 IN PTR www.example.test.
      """;

  public static final String REVERSE6 =
      """
      $ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
      $TTL 3600
      @ IN SOA ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300
      @ IN NS ns1.example.test.
      1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR www.example.test.
      """;

  /** Zone name to master file, for {@link NsdServer#start}. */
  public static Map<String, String> all() {
    return Map.of(
        "example.test", EXAMPLE,
        "2.0.192.in-addr.arpa", REVERSE,
        "8.b.d.0.1.0.0.2.ip6.arpa", REVERSE6);
  }

  private static String bigTxt() {
    var out = new StringBuilder();
    for (int i = 1; i <= BIG_TXT_COUNT; i++) {
      out.append("big IN TXT \"").append("x".repeat(60)).append('-').append(i).append("\"\n");
    }
    return out.toString();
  }
}
