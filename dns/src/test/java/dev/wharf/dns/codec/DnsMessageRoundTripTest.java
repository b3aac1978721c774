package dev.wharf.dns.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsMessageRoundTripTest {

  @Test
  void everyRecordTypeSurvivesEncodeAndDecode() {
    Message message = Samples.everyType();
    assertThat(DnsMessageReader.read(DnsMessageWriter.write(message))).isEqualTo(message);
  }

  @Test
  void aDirectBufferDecodesAsAHeapOne() {
    byte[] bytes = DnsMessageWriter.write(Samples.everyType());
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    assertThat(DnsMessageReader.read(direct)).isEqualTo(Samples.everyType());
    assertThat(direct.hasRemaining()).isFalse();
  }

  @Test
  void repeatedNamesAreCompressedToPointersButNotInNewerTypes() {
    byte[] bytes = DnsMessageWriter.write(Samples.everyType());
    // "example.test" is written in full once, and once more in the SRV's target, which RFC 2782
    // forbids compressing; every other occurrence (about twenty) is a 2-octet pointer.
    byte[] suffix = "\u0007example\u0004test\u0000".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(occurrences(bytes, suffix)).isEqualTo(2);
  }

  @Test
  void aNameKeepsItsLettersUnlessCompressedIntoAnEarlierSpelling() {
    Message decoded = DnsMessageReader.read(DnsMessageWriter.write(Samples.everyType()));
    // The question spells it first in lower case; the PTR's "WWW.Example.Test" points there, as
    // any server's compression would, and is equal ignoring case.
    RData.Target ptr = (RData.Target) decoded.answers().get(4).data();
    assertThat(ptr.name().toString()).isEqualTo("www.example.test.");
    assertThat(ptr.name()).isEqualTo(DnsName.parse("WWW.Example.Test"));
    Message alone =
        Message.query(
            1, new Question(DnsName.parse("WwW.ExAmPle"), RecordType.A, RecordClass.IN), true);
    assertThat(
            DnsMessageReader.read(DnsMessageWriter.write(alone))
                .questions()
                .getFirst()
                .name()
                .toString())
        .isEqualTo("WwW.ExAmPle.");
  }

  @Test
  void seededRandomMessagesSurviveEncodeAndDecode() {
    var random = new Random(1035);
    for (int round = 0; round < 500; round++) {
      Message message = randomMessage(random);
      assertThat(DnsMessageReader.read(DnsMessageWriter.write(message)))
          .as("round %d", round)
          .isEqualTo(message);
    }
  }

  @Test
  void presentationIsDigs() {
    Message message = Samples.everyType();
    var texts = message.answers().stream().map(r -> r.data().toText()).toList();
    assertThat(texts)
        .containsExactly(
            "192.0.2.1",
            "2001:db8::1",
            "www.example.test.",
            "ns1.example.test.",
            "WWW.Example.Test.",
            "10 mail.example.test.",
            "\"hello world\" \"a\\\"b\\\\c\\128\"",
            "10 60 5060 sip.example.test.",
            "0 issue \"letsencrypt.org\"",
            "1 . alpn=\"h2,h3\" port=8443",
            "\\# 4 0A000001");
    assertThat(message.answers().get(0).toText())
        .isEqualTo("www.example.test.\t3600\tIN\tA\t192.0.2.1");
    assertThat(message.answers().getLast().toText())
        .isEqualTo("unknown.example.test.\t3600\tIN\tTYPE65534 \\# 4 0A000001");
    assertThat(message.edns().orElseThrow().toText()).isEqualTo("version: 0, flags: do; udp: 1232");
  }

  private static int occurrences(byte[] haystack, byte[] needle) {
    int count = 0;
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (Character.toLowerCase(haystack[i + j]) != Character.toLowerCase(needle[j])) {
          continue outer;
        }
      }
      count++;
    }
    return count;
  }

  static Message randomMessage(Random random) {
    var sections = new ArrayList<List<ResourceRecord>>();
    for (int s = 0; s < 3; s++) {
      var records = new ArrayList<ResourceRecord>();
      for (int i = random.nextInt(4); i > 0; i--) {
        records.add(randomRecord(random));
      }
      sections.add(records);
    }
    return new Message(
        new Header(random.nextInt(0x10000), random.nextInt(0x10000)),
        List.of(new Question(randomName(random), random.nextInt(0x10000), RecordClass.IN)),
        sections.get(0),
        sections.get(1),
        sections.get(2));
  }

  private static ResourceRecord randomRecord(Random random) {
    DnsName owner = randomName(random);
    long ttl = random.nextLong(0x1_0000_0000L);
    RData data =
        switch (random.nextInt(7)) {
          case 0 -> new RData.A(Octets.of(bytes(random, 4)));
          case 1 -> new RData.Aaaa(Octets.of(bytes(random, 16)));
          case 2 -> new RData.Target(randomName(random));
          case 3 -> new RData.Mx(random.nextInt(0x10000), randomName(random));
          case 4 -> new RData.Txt(List.of(Octets.of(bytes(random, random.nextInt(256)))));
          case 5 -> new RData.Srv(1, 2, random.nextInt(0x10000), randomName(random));
          default -> new RData.Unknown(Octets.of(bytes(random, random.nextInt(40))));
        };
    int type =
        switch (data) {
          case RData.A a -> RecordType.A;
          case RData.Aaaa a -> RecordType.AAAA;
          case RData.Target t -> RecordType.CNAME;
          case RData.Mx m -> RecordType.MX;
          case RData.Txt t -> RecordType.TXT;
          case RData.Srv s -> RecordType.SRV;
          default -> 65280 + random.nextInt(200);
        };
    return new ResourceRecord(owner, type, RecordClass.IN, ttl, data);
  }

  /** A name under a few shared suffixes, so that compression has work to do. */
  static DnsName randomName(Random random) {
    String[] suffixes = {"example.test", "EXAMPLE.test", "a.b.example.test", "other.org"};
    var labels = new ArrayList<byte[]>();
    for (int i = random.nextInt(3); i > 0; i--) {
      labels.add(bytes(random, 1 + random.nextInt(20)));
    }
    DnsName suffix = DnsName.parse(suffixes[random.nextInt(suffixes.length)]);
    for (int i = 0; i < suffix.labelCount(); i++) {
      labels.add(suffix.label(i));
    }
    return DnsName.of(labels);
  }

  private static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
