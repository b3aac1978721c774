package dev.wharf.dns.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.dns.codec.DnsMessageReader;
import dev.wharf.dns.codec.DnsMessageWriter;
import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.EdnsOption;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Octets;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answers kept by a query's octets: what is a hit, what is patched, what is never kept. */
class RawAnswersTest {
  private static final String ZONE =
      "$ORIGIN example.test.\n$TTL 60\n@ SOA ns1 host 1 2 3 4 5\n@ NS ns1\nns1 A 127.0.0.1\n";
  private final Authority authority;
  private final RawAnswers raw = new RawAnswers();
  private final byte[] out = new byte[4096];

  RawAnswersTest() throws Exception {
    authority =
        new Authority(List.of(Zone.of(ZoneFileParser.parse(Path.of("t.zone"), ZONE, null))));
  }

  @Test
  void aQueryAskedAgainIsAnsweredWithItsIdAndItsSpelling() {
    byte[] first = query(1, "ns1.example.test", true);
    keep(first);
    byte[] again = query(0x4242, "NS1.Example.TEST", true);
    int length = lookUp(again);
    assertThat(length).isPositive();
    Message answer = DnsMessageReader.read(Arrays.copyOf(out, length));
    assertThat(answer.header().id()).isEqualTo(0x4242);
    assertThat(answer.questions().getFirst().name().toString()).isEqualTo("NS1.Example.TEST.");
    assertThat(answer.answers().getFirst().name().toString()).isEqualTo("NS1.Example.TEST.");
    assertThat(answer.answers().getFirst().data().toText()).isEqualTo("127.0.0.1");
  }

  @Test
  void flagsAndEdnsArePartOfTheKey() {
    keep(query(1, "ns1.example.test", true));
    byte[] withoutRd = query(2, "ns1.example.test", false);
    assertThat(lookUp(withoutRd)).isEqualTo(-1);
    byte[] withEdns =
        DnsMessageWriter.write(
            Message.query(3, question("ns1.example.test"), true, Edns.of(1232, false)));
    assertThat(lookUp(withEdns)).isEqualTo(-1);
  }

  @Test
  void ednsOptionsAreLeftOutOfTheKeyButTheirFramingIsChecked() {
    keep(withCookie(1, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    byte[] anotherCookie = withCookie(2, new byte[] {8, 7, 6, 5, 4, 3, 2, 1});
    assertThat(lookUp(anotherCookie)).isPositive();
    assertThat(DnsMessageReader.read(Arrays.copyOf(out, lookUp(anotherCookie))).header().id())
        .isEqualTo(2);
    // An option whose length runs past the OPT's RDATA: the parser's FORMERR, so no key.
    byte[] overrun = anotherCookie.clone();
    overrun[overrun.length - 9] = 9;
    assertThat(keyEnd(overrun)).isEqualTo(-1);
    // Octets after the OPT, or after a question without one: no key either.
    assertThat(keyEnd(Arrays.copyOf(anotherCookie, anotherCookie.length + 1))).isEqualTo(-1);
    byte[] plain = query(3, "ns1.example.test", true);
    assertThat(keyEnd(plain)).isEqualTo(plain.length);
    assertThat(keyEnd(Arrays.copyOf(plain, plain.length + 1))).isEqualTo(-1);
  }

  @Test
  void onlyPlainQueriesWithOneUncompressedQuestionHaveAKey() {
    assertThat(RawAnswers.nameEnd(query(1, "ns1.example.test", true), 34)).isEqualTo(30);
    byte[] pointer = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 1, 0, 1};
    assertThat(RawAnswers.nameEnd(pointer, pointer.length)).isEqualTo(-1);
    byte[] response = query(1, "ns1.example.test", true);
    response[2] |= (byte) 0x80;
    assertThat(RawAnswers.nameEnd(response, response.length)).isEqualTo(-1);
    byte[] twoQuestions = query(1, "ns1.example.test", true);
    twoQuestions[5] = 2;
    assertThat(RawAnswers.nameEnd(twoQuestions, twoQuestions.length)).isEqualTo(-1);
    byte[] unfinished = Arrays.copyOf(query(1, "ns1.example.test", true), 20);
    assertThat(RawAnswers.nameEnd(unfinished, unfinished.length)).isEqualTo(-1);
  }

  @Test
  void anAnswerThatDoesNotStartWithTheQuestionIsNotKept() {
    byte[] query = query(1, "ns1.example.test", true);
    byte[] formerr =
        DnsMessageWriter.write(
            new Message(
                new Header(1, Header.QR).withRcode(1), List.of(), List.of(), List.of(), List.of()));
    raw.keep(query, keyEnd(query), RawAnswers.nameEnd(query, query.length), formerr);
    assertThat(raw.size()).isZero();
    assertThat(lookUp(query)).isEqualTo(-1);
  }

  @Test
  void atTheLimitItStartsAgainEmpty() {
    for (int i = 0; i <= RawAnswers.MAX_ENTRIES; i++) {
      keep(query(i, "n" + i + ".example.test", true));
    }
    assertThat(raw.size()).isEqualTo(1);
  }

  private void keep(byte[] query) {
    byte[] answer = DnsMessageWriter.write(authority.answer(DnsMessageReader.read(query)));
    raw.keep(query, keyEnd(query), RawAnswers.nameEnd(query, query.length), answer);
  }

  private int lookUp(byte[] query) {
    int nameEnd = RawAnswers.nameEnd(query, query.length);
    int keyEnd = keyEnd(query);
    return keyEnd < 0 ? -1 : raw.answer(query, keyEnd, nameEnd, out);
  }

  private static int keyEnd(byte[] query) {
    int nameEnd = RawAnswers.nameEnd(query, query.length);
    return nameEnd < 0 ? -1 : RawAnswers.keyEnd(query, query.length, nameEnd);
  }

  private static byte[] query(int id, String name, boolean rd) {
    return DnsMessageWriter.write(Message.query(id, question(name), rd));
  }

  private static byte[] withCookie(int id, byte[] cookie) {
    var edns =
        new Edns(1232, 0, 0, 0, List.of(new EdnsOption(EdnsOption.COOKIE, Octets.of(cookie))));
    return DnsMessageWriter.write(Message.query(id, question("ns1.example.test"), true, edns));
  }

  private static Question question(String name) {
    return new Question(DnsName.parse(name), RecordType.A, RecordClass.IN);
  }
}
