package dev.wharf.packets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EchoMessagesTest {

  @Test
  void anIpv4RequestCarriesIputilsPayloadAndAValidChecksum() {
    byte[] request = EchoMessages.request(false, 0x1234, 7, 56, 1_700_000_000_123_456L);
    assertThat(request).hasSize(64);
    assertThat(request[0]).isEqualTo((byte) 8);
    assertThat(Arrays.copyOfRange(request, 4, 8)).containsExactly(0x12, 0x34, 0, 7);
    // RFC 1071: the checksum over a message with its checksum in place is zero.
    assertThat(EchoMessages.checksum(request)).isZero();
    assertThat(request[8 + 16]).isEqualTo((byte) 16);
    assertThat(request[63]).isEqualTo((byte) 55);
  }

  @Test
  void anIpv6RequestLeavesTheChecksumToTheKernel() {
    byte[] request = EchoMessages.request(true, 1, 2, 0, 0);
    assertThat(request).containsExactly(128, 0, 0, 0, 0, 1, 0, 2);
  }

  @Test
  void aReplyIsReadWithOrWithoutItsIpHeader() {
    byte[] reply = EchoMessages.request(false, 0xbeef, 3, 56, 0);
    reply[0] = 0;
    assertThat(EchoMessages.parse(reply, false, false))
        .hasValue(new EchoMessages.Parsed(true, 0xbeef, 3, 64, null));
    byte[] withHeader = new byte[20 + reply.length];
    withHeader[0] = 0x45;
    withHeader[8] = 64;
    withHeader[9] = 1;
    System.arraycopy(reply, 0, withHeader, 20, reply.length);
    assertThat(EchoMessages.parse(withHeader, false, true))
        .hasValue(new EchoMessages.Parsed(true, 0xbeef, 3, 64, null));
  }

  @Test
  void anUnreachableQuotingOurRequestNamesItsSequence() {
    byte[] request = EchoMessages.request(false, 42, 9, 56, 0);
    byte[] error = new byte[8 + 20 + 8];
    error[0] = 3;
    error[1] = 1;
    error[8] = 0x45;
    error[8 + 9] = 1;
    System.arraycopy(request, 0, error, 28, 8);
    assertThat(EchoMessages.parse(error, false, false))
        .hasValue(
            new EchoMessages.Parsed(false, 42, 9, error.length, "Destination Host Unreachable"));
  }

  @Test
  void anIpv6TimeExceededIsAnError() {
    byte[] request = EchoMessages.request(true, 5, 6, 0, 0);
    byte[] error = new byte[8 + 40 + 8];
    error[0] = 3;
    error[8 + 6] = 58;
    System.arraycopy(request, 0, error, 48, 8);
    assertThat(EchoMessages.parse(error, true, false))
        .hasValue(new EchoMessages.Parsed(false, 5, 6, error.length, "Time exceeded: Hop limit"));
  }

  /**
   * iputils' pr_icmph words where the error carries a value: a need-frag's MTU (RFC 1191 §4), a
   * packet too big's (RFC 4443 §3.2), ICMPv6's policy and reject-route codes.
   */
  @Test
  void errorsThatCarryAnMtuSayItAsIputilsDoes() {
    byte[] request = EchoMessages.request(false, 42, 9, 56, 0);
    byte[] error = new byte[8 + 20 + 8];
    error[0] = 3;
    error[1] = 4;
    error[6] = 0x05; // next-hop MTU 1400
    error[7] = 0x78;
    error[8] = 0x45;
    error[8 + 9] = 1;
    System.arraycopy(request, 0, error, 28, 8);
    assertThat(EchoMessages.parse(error, false, false))
        .hasValue(
            new EchoMessages.Parsed(
                false, 42, 9, error.length, "Frag needed and DF set (mtu = 1400)"));
    assertThat(EchoMessages.errorV6(2, 0, 1280)).isEqualTo("Packet too big: mtu=1280");
    assertThat(EchoMessages.errorV6(1, 5, 0))
        .isEqualTo("Destination unreachable: Source address failed ingress/egress policy");
    assertThat(EchoMessages.errorV6(1, 6, 0))
        .isEqualTo("Destination unreachable: Reject route to destination");
    assertThat(EchoMessages.errorV6(3, 1, 0)).isEqualTo("Time exceeded: Defragmentation failure");
    assertThat(EchoMessages.errorV4(11, 2, 0)).isEqualTo("Time exceeded, Bad Code: 2");
  }

  @Test
  void truncatedAndRandomMessagesNeverThrow() {
    var random = new Random(17);
    byte[] reply = EchoMessages.request(false, 1, 1, 56, 0);
    for (int length = 0; length < reply.length; length++) {
      byte[] cut = Arrays.copyOf(reply, length);
      EchoMessages.parse(cut, false, true);
      EchoMessages.parse(cut, true, false);
    }
    for (int i = 0; i < 20_000; i++) {
      byte[] noise = new byte[random.nextInt(80)];
      random.nextBytes(noise);
      if (noise.length > 0 && random.nextBoolean()) {
        noise[0] = (byte) (random.nextBoolean() ? 3 : 1);
      }
      EchoMessages.parse(noise, random.nextBoolean(), random.nextBoolean());
    }
  }
}
