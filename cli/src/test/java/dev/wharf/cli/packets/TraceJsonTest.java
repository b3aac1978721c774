package dev.wharf.cli.packets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.packets.pcap.CaptureInterface;
import dev.wharf.packets.pcap.CapturedPacket;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** --json's interface of a packet read from pcapng; TraceDumpcapIT reads dumpcap's file. */
class TraceJsonTest {
  private static final CapturedPacket ON_SECOND =
      new CapturedPacket(Instant.EPOCH, new byte[0], 0, 1);

  @Test
  void aPcapngPacketNamesItsInterfaceByIndexAndName() {
    assertThat(
            TraceCommand.interfaceJson(
                ON_SECOND, new CaptureInterface(1, 0, 1_000_000, 0, "veth\"0")))
        .isEqualTo("\"interface\":{\"index\":1,\"name\":\"veth\\\"0\"},");
  }

  @Test
  void anInterfaceWithoutIfNameHasItsIndexOnly() {
    assertThat(TraceCommand.interfaceJson(ON_SECOND, new CaptureInterface(1, 0, 1_000_000, 0, "")))
        .isEqualTo("\"interface\":{\"index\":1},");
  }

  @Test
  void aLiveCaptureOrPcapPacketHasNone() {
    assertThat(TraceCommand.interfaceJson(ON_SECOND, null)).isEmpty();
  }
}
