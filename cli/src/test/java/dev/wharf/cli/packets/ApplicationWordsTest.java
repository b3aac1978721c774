package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.wharf.dns.codec.DnsMessageWriter;
import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Octets;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.RData;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import dev.wharf.packets.decode.DecodedPacket;
import dev.wharf.packets.decode.Layer;
import dev.wharf.packets.decode.PacketDecoder;
import dev.wharf.packets.decode.PacketJson;
import dev.wharf.packets.decode.TcpdumpText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * tcpdump's DNS and HTTP words (print-domain.c, print-http.c, with -v and without); TraceIT
 * compares.
 */
class ApplicationWordsTest {
  private static final Question QUESTION =
      new Question(DnsName.parse("example.com."), RecordType.A, RecordClass.IN);

  /** dig's query for example.com, captured by tcpdump on a veth pair. */
  private static final byte[] DNS_QUERY_FRAME =
      HexFormat.of()
          .parseHex(
              "bef6773e71aafa86fcf1c137080045000050907b00004011d5850a4d00010a4d0002972600350"
                  + "03c14eadc8f01200001000000000001076578616d706c6503636f6d000001000100002904d00"
                  + "0000000000c000a000819cdd61a4d3919a7");

  private final ApplicationWords words = new ApplicationWords();
  private final ApplicationWords verboseWords = new ApplicationWords(true);

  @Test
  void aQueryAsDigSendsIt() {
    byte[] query =
        DnsMessageWriter.write(Message.query(4660, QUESTION, true, Edns.of(1232, false)));
    assertThat(words.describe(udp(41234, 53, query.length), query, 0, query.length))
        .contains("4660+ [1au] A? example.com. (" + query.length + ")");
  }

  @Test
  void anAnswerWithRecursionNotAvailableAndAnError() {
    ResourceRecord record = answerRecord();
    var answer =
        new Message(
            new Header(7, Header.QR | Header.AA),
            List.of(QUESTION),
            List.of(record),
            List.of(),
            List.of());
    byte[] bytes = DnsMessageWriter.write(answer);
    assertThat(words.describe(udp(53, 41234, bytes.length), bytes, 0, bytes.length))
        .contains("7*- 1/0/0 A 10.77.0.9 (" + bytes.length + ")");
    var refused =
        new Message(
            new Header(8, Header.QR | Header.RA | 5),
            List.of(QUESTION),
            List.of(),
            List.of(),
            List.of());
    byte[] no = DnsMessageWriter.write(refused);
    assertThat(words.describe(udp(53, 1, no.length), no, 0, no.length))
        .contains("8 Refused 0/0/0 (" + no.length + ")");
  }

  @Test
  void withVAnAnswerNamesItsOwner() {
    ResourceRecord record = answerRecord();
    var answer =
        new Message(
            new Header(7, Header.QR | Header.RA),
            List.of(QUESTION),
            List.of(record, record),
            List.of(),
            List.of());
    byte[] bytes = DnsMessageWriter.write(answer);
    assertThat(verboseWords.describe(udp(53, 41234, bytes.length), bytes, 0, bytes.length))
        .contains(
            "7 2/0/0 example.com. A 10.77.0.9, example.com. A 10.77.0.9 (" + bytes.length + ")");
  }

  @Test
  void withVHttpIsItsLengthAndEveryTextLine() {
    byte[] get =
        "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(verboseWords.describe(tcp(50000, 80, get.length), get, 0, get.length))
        .contains(
            "HTTP, length: " + get.length + "\n\tGET /a HTTP/1.1\n\tHost: x\n\tAccept: */*\n\t");
    // Text up to a byte that is not: the body's binary line is not printed.
    byte[] status =
        "HTTP/1.0 200 OK\r\nA: b\r\n\r\n\u0001\u0002".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(verboseWords.describe(tcp(80, 50000, 900), status, 0, status.length))
        .contains("HTTP, length: 900\n\tHTTP/1.0 200 OK\n\tA: b\n\t");
    // A line cut short by the capture, printed as far as it goes.
    byte[] cut = "GET /long".getBytes(StandardCharsets.US_ASCII);
    assertThat(verboseWords.describe(tcp(50000, 80, 300), cut, 0, cut.length))
        .contains("HTTP, length: 300\n\tGET /long");
    byte[] body = "hello\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(verboseWords.describe(tcp(80, 50000, body.length), body, 0, body.length))
        .contains("HTTP");
  }

  @Test
  void aShortOrBrokenMessageIsMarkedNotThrown() {
    assertThat(words.describe(udp(1, 53, 2), new byte[] {1, 2}, 0, 2))
        .contains("domain [length 2 < 12] (invalid)");
    byte[] broken = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 'a'};
    assertThat(words.describe(udp(1, 53, broken.length), broken, 0, broken.length))
        .contains("[|domain]");
  }

  @Test
  void httpsFirstLineOnItsPortsOnly() {
    byte[] get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.describe(tcp(50000, 80, get.length), get, 0, get.length))
        .contains("HTTP: GET /a HTTP/1.1");
    byte[] status = "HTTP/1.0 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.describe(tcp(8080, 50000, status.length), status, 0, status.length))
        .contains("HTTP: HTTP/1.0 200 OK");
    byte[] body = "hello\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.describe(tcp(80, 50000, body.length), body, 0, body.length)).contains("HTTP");
    assertThat(words.describe(tcp(5555, 50000, get.length), get, 0, get.length)).isEmpty();
  }

  /**
   * Captured frames (tcpdump on a veth pair) through the decoder and the text with these words,
   * plain and -v: every prefix and seeded random mutations, nothing thrown; a DNS query cut inside
   * its message is marked, as tcpdump marks it.
   */
  @Test
  void cutAndMutatedDnsAndHttpFramesNeverThrow() {
    byte[] dns = DNS_QUERY_FRAME;
    byte[] http =
        HexFormat.of()
            .parseHex(
                "bef6773e71aafa86fcf1c137080045000087412d40004006e4a70a4d00010a4d0002ab8800503"
                    + "3a0b52567b4eb518018003f151600000101080af6a92a9f1eec46e9474554202f696e646578"
                    + "2e68746d6c20485454502f312e310d0a486f73743a2031302e37372e302e320d0a5573657"
                    + "22d4167656e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a");
    var plain = new TcpdumpText(false, false, words);
    var verbose = new TcpdumpText(true, false, verboseWords);
    assertThat(plain.line(decode(dns), dns)).endsWith("56463+ [1au] A? example.com. (52)");
    assertThat(plain.line(decode(http), http)).endsWith("HTTP: GET /index.html HTTP/1.1");
    var random = new Random(1717);
    for (byte[] frame : List.of(dns, http)) {
      for (int length = 0; length < frame.length; length++) {
        byte[] cut = Arrays.copyOf(frame, length);
        DecodedPacket packet = PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, cut, 999);
        String line = plain.line(packet, cut);
        assertThatCode(() -> verbose.line(packet, cut)).doesNotThrowAnyException();
        if (frame == dns && length > 14 + 20 + 8) {
          assertThat(line).as("cut at %d", length).containsAnyOf("[|domain]", "(invalid)");
        }
      }
      for (int round = 0; round < 5_000; round++) {
        byte[] mutated = Arrays.copyOf(frame, random.nextInt(frame.length + 8));
        for (int flips = random.nextInt(6); flips >= 0; flips--) {
          if (mutated.length > 0) {
            mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
          }
        }
        DecodedPacket packet = decode(mutated);
        assertThatCode(() -> plain.line(packet, mutated)).doesNotThrowAnyException();
        assertThatCode(() -> verbose.line(packet, mutated)).doesNotThrowAnyException();
      }
    }
  }

  private static DecodedPacket decode(byte[] frame) {
    return PacketDecoder.decode(PacketDecoder.LINKTYPE_ETHERNET, frame, frame.length);
  }

  private static Layer.Udp udp(int from, int to, int length) {
    return new Layer.Udp(from, to, length, 0, -1);
  }

  private static Layer.Tcp tcp(int from, int to, int length) {
    return new Layer.Tcp(from, to, 1, 1, 0x18, 512, 0, List.of(), length, 0, -1);
  }

  /** QUESTION's answer: 10.77.0.9, for 60 s. */
  private static ResourceRecord answerRecord() {
    return new ResourceRecord(
        QUESTION.name(),
        RecordType.A,
        RecordClass.IN,
        60,
        new RData.A(Octets.of(new byte[] {10, 77, 0, 9})));
  }

  /**
   * The first line is the HTTP codec's to read: one it refuses is printed as tcpdump prints it and
   * marked; a method print-http.c does not know is no request, as for tcpdump.
   */
  @Test
  void httpsFirstLineIsReadByTheCodecAndARefusedOneIsMarked() {
    byte[] spaced = "GET /a b HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.describe(tcp(50000, 80, spaced.length), spaced, 0, spaced.length))
        .contains("HTTP: GET /a b HTTP/1.1 [malformed: malformed request line]");
    byte[] status = "HTTP/1.1 2OO OK\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.describe(tcp(80, 50000, status.length), status, 0, status.length))
        .contains("HTTP: HTTP/1.1 2OO OK [malformed: malformed status line: HTTP/1.1 2OO OK]");
    byte[] unknown = "BREW /pot HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.describe(tcp(50000, 80, unknown.length), unknown, 0, unknown.length))
        .contains("HTTP");
    // Cut before its end: the codec cannot judge it, tcpdump prints it as far as it goes.
    byte[] cut = "GET /lo".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.describe(tcp(50000, 80, 300), cut, 0, cut.length)).contains("HTTP: GET /lo");
  }

  /**
   * --json: after UDP the DNS layer (header fields, questions, answers with their data as dig
   * writes it), after TCP the HTTP layer (the request line's parts; a status line's).
   */
  @Test
  void jsonHasDnsAndHttpLayers() {
    byte[] answer =
        DnsMessageWriter.write(
            new Message(
                new Header(4660, Header.QR | Header.RD | Header.RA),
                List.of(QUESTION),
                List.of(answerRecord()),
                List.of(),
                List.of()));
    assertThat(words.fields(udp(53, 40000, answer.length), answer, 0, answer.length))
        .hasValueSatisfying(
            fields ->
                assertThat(fields.layer() + " " + fields.fields())
                    .isEqualTo(
                        "dns {id=4660, qr=true, opcode=0, rcode=0, aa=false, tc=false, rd=true,"
                            + " ra=true, questions=[{name=example.com., type=A, class=IN}],"
                            + " answers=[{name=example.com., type=A, class=IN, ttl=60,"
                            + " data=10.77.0.9}], authority=[], additional=[]}"));
    assertThat(words.fields(udp(53, 40000, 2), new byte[] {1, 2}, 0, 2))
        .hasValueSatisfying(
            fields -> assertThat(fields.fields().get("problem")).isEqualTo("length 2 < 12"));
    byte[] get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.fields(tcp(50000, 80, get.length), get, 0, get.length))
        .hasValueSatisfying(
            fields ->
                assertThat(fields.layer() + " " + fields.fields())
                    .isEqualTo("http {kind=request, method=GET, target=/a, version=HTTP/1.1}"));
    byte[] status = "HTTP/1.0 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.fields(tcp(80, 50000, status.length), status, 0, status.length))
        .hasValueSatisfying(
            fields ->
                assertThat(fields.layer() + " " + fields.fields())
                    .isEqualTo("http {kind=response, version=HTTP/1.0, status=200, reason=OK}"));
    byte[] body = "hello\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(words.fields(tcp(80, 50000, body.length), body, 0, body.length)).isEmpty();

    // In a captured frame, the layer follows UDP's, as JSON.
    assertThat(PacketJson.of(decode(DNS_QUERY_FRAME), DNS_QUERY_FRAME, words, ""))
        .contains(
            "\"destinationPort\":53,",
            "},{\"layer\":\"dns\",\"id\":56463,\"qr\":false,\"opcode\":0,\"rcode\":0,",
            "\"questions\":[{\"name\":\"example.com.\",\"type\":\"A\",\"class\":\"IN\"}],")
        .endsWith(
            "\"additional\":[{\"name\":\".\",\"type\":\"OPT\",\"class\":\"CLASS1232\",\"ttl\":0,\"data\":\"COOKIE: 19CDD61A4D3919A7\"}]}]}");
  }
}
