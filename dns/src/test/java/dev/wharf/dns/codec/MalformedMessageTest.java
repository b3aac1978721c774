package dev.wharf.dns.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** One test per rule a message can break; each expects the reason the reader gives. */
class MalformedMessageTest {
  /** A response header: id 0x1234, QR, one question, the other counts as given. */
  private static String header(int questions, int answers, int additional) {
    return "1234"
        + "8000"
        + "%04x".formatted(questions)
        + "%04x".formatted(answers)
        + "0000"
        + "%04x".formatted(additional);
  }

  private static DnsFormatException fails(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
    var thrown = org.assertj.core.api.Assertions.catchThrowable(() -> DnsMessageReader.read(bytes));
    assertThat(thrown).isInstanceOf(DnsFormatException.class);
    return (DnsFormatException) thrown;
  }

  @Test
  void aMessageShorterThanItsHeaderIsRejected() {
    assertThat(fails("1234 8000 0001").getMessage()).contains("12-octet header");
  }

  @Test
  void aPointerToItselfIsALoop() {
    // The question's name is a pointer at offset 12 to offset 12.
    assertThat(fails(header(1, 0, 0) + "c00c 0001 0001").getMessage())
        .contains("compression pointer loop");
  }

  @Test
  void pointersThatChaseEachOtherAreALoop() {
    // Offset 12: label "a", then a pointer (offset 14) back to 12: the name never ends.
    assertThat(fails(header(1, 0, 0) + "0161 c00c 0001 0001").getMessage())
        .contains("compression pointer loop");
  }

  @Test
  void aForwardPointerIsRejected() {
    assertThat(fails(header(1, 0, 0) + "c010 0001 0001 0000").getMessage())
        .contains("points forward to offset 16");
  }

  @Test
  void aPointerIntoTheHeaderIsRejected() {
    assertThat(fails(header(1, 0, 0) + "c002 0001 0001").getMessage()).contains("into the header");
  }

  @Test
  void theReservedLabelTypesAreRejected() {
    assertThat(fails(header(1, 0, 0) + "4161 00 0001 0001").getMessage())
        .contains("label type 0x40");
    assertThat(fails(header(1, 0, 0) + "8161 00 0001 0001").getMessage())
        .contains("label type 0x80");
  }

  @Test
  void aNameOver255OctetsIsRejected() {
    // Five labels of 63 octets: 5 * 64 + 1 = 321 octets.
    String label = "3f" + "61".repeat(63);
    assertThat(fails(header(1, 0, 0) + label.repeat(5) + "00 0001 0001").getMessage())
        .contains("longer than 255 octets");
  }

  @Test
  void aNameOfExactly255OctetsIsAccepted() {
    // Three labels of 63, one of 61: 3 * 64 + 62 + 1 = 255.
    String name = ("3f" + "61".repeat(63)).repeat(3) + "3d" + "62".repeat(61) + "00";
    byte[] bytes = HexFormat.of().parseHex(header(1, 0, 0) + name + "00010001");
    assertThat(DnsMessageReader.read(bytes).questions().getFirst().name().wireLength())
        .isEqualTo(255);
  }

  @Test
  void aCountBeyondTheMessageIsRejected() {
    assertThat(fails(header(2, 0, 0) + "00 0001 0001").getMessage())
        .contains("message ends inside question 2");
  }

  @Test
  void recordDataLongerThanTheMessageIsRejected() {
    assertThat(fails(header(0, 1, 0) + "00 0001 0001 00000e10 0010 c0000201").getMessage())
        .contains("announces 16 octets of data; 4 remain");
  }

  @Test
  void anAddressOfTheWrongSizeIsRejected() {
    assertThat(fails(header(0, 1, 0) + "00 0001 0001 00000e10 0005 c000020101").getMessage())
        .contains("holds 5 octets of data; it must hold 4");
  }

  @Test
  void aNameThatRunsOutOfItsRecordDataIsRejected() {
    // A CNAME whose RDLENGTH (3) ends inside its name.
    assertThat(fails(header(0, 1, 0) + "00 0005 0001 00000e10 0003 0377777700").getMessage())
        .contains("record data ends inside");
  }

  @Test
  void fieldsShorterThanTheRecordDataAreRejected() {
    // An MX of 5 octets: preference, root name, and two octets too many.
    assertThat(fails(header(0, 1, 0) + "00 000f 0001 00000e10 0005 000a 00 ffff").getMessage())
        .contains("announces 5 octets of data but its fields take 3");
  }

  @Test
  void octetsAfterTheLastRecordAreRejected() {
    assertThat(fails(header(1, 0, 0) + "00 0001 0001 ff").getMessage())
        .contains("1 octets follow the last record");
  }

  @Test
  void aTxtWithoutStringsOrWithAShortStringIsRejected() {
    assertThat(fails(header(0, 1, 0) + "00 0010 0001 00000e10 0000").getMessage())
        .contains("holds no character-string");
    assertThat(fails(header(0, 1, 0) + "00 0010 0001 00000e10 0002 0561").getMessage())
        .contains("ends inside");
  }

  @Test
  void twoOptRecordsAreRejected() {
    String opt = "00 0029 04d0 00000000 0000";
    assertThat(fails(header(0, 0, 2) + opt + opt).getMessage()).contains("more than one OPT");
  }

  @Test
  void anOptOwnedByANameOtherThanTheRootIsRejected() {
    assertThat(fails(header(0, 0, 1) + "0161 00 0029 04d0 00000000 0000").getMessage())
        .contains("not the root");
  }

  @Test
  void anOptInTheAnswerSectionIsRejected() {
    assertThat(fails(header(0, 1, 0) + "00 0029 04d0 00000000 0000").getMessage())
        .contains("OPT record in the answer section");
  }

  @Test
  void svcParamKeysOutOfOrderAreRejected() {
    // HTTPS 1 . port=443 alpn=h2: key 3 then key 1.
    String rdata = "0001 00 0003 0002 01bb 0001 0003 026832";
    assertThat(fails(header(0, 1, 0) + "00 0041 0001 00000e10 0010 " + rdata).getMessage())
        .contains("not in increasing order");
  }

  @Test
  void aCaaTagOfNoLettersIsRejected() {
    assertThat(fails(header(0, 1, 0) + "00 0101 0001 00000e10 0002 0000").getMessage())
        .contains("tag length is 0");
  }

  @Test
  void theTcpFramerRejectsAZeroLength() {
    var decoder = new DnsTcpFrameDecoder();
    assertThatThrownBy(() -> decoder.decode(java.nio.ByteBuffer.wrap(new byte[] {0, 0})))
        .isInstanceOf(DnsFormatException.class)
        .hasMessageContaining("zero-length");
    assertThatThrownBy(() -> decoder.decode(java.nio.ByteBuffer.wrap(new byte[] {0, 5})))
        .isInstanceOf(DnsFormatException.class)
        .hasMessageContaining("already failed");
  }

  @Test
  void theReaderNamesTheOffsetOfTheFault() {
    assertThat(fails(header(1, 0, 0) + "c010 0001 0001 0000").offset()).isEqualTo(12);
  }
}
