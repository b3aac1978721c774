package dev.wharf.packets.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The program libpcap compiles for a live capture against the one tcpdump attaches ({@code tcpdump
 * -dd -i lo}, which compiles on a handle it activates): on Linux, {@code vlan} reads the tags the
 * kernel took off the frame with ancillary loads, which a program for a file cannot have. Needs
 * root, for the activated handle (CI runs as root).
 */
class LiveProgramIT {
  private static final int ETHERNET = 1;
  private static final int SKF_AD_VLAN_TAG_PRESENT = -0x1000 + 48;
  private static final Pattern INSTRUCTION =
      Pattern.compile("\\{ 0x([0-9a-f]+), (\\d+), (\\d+), 0x([0-9a-f]+) \\}");

  @Test
  void aVlanFilterForALiveCaptureIsTcpdumpsInstructionForInstruction() throws Exception {
    for (String filter : new String[] {"vlan", "vlan 10 and icmp", "udp port 4444"}) {
      byte[] ours = Libpcap.get().compileLive("lo", ETHERNET, 262_144, filter);
      assertThat(ours).as(filter).isEqualTo(tcpdumps("lo", filter));
    }
  }

  @Test
  void onlyTheLiveProgramReadsTheTagTheKernelTookOff() throws Exception {
    byte[] live = Libpcap.get().compileLive("lo", ETHERNET, 262_144, "vlan");
    byte[] forFiles = Libpcap.get().compile(ETHERNET, 262_144, "vlan");
    assertThat(loads(live)).contains(SKF_AD_VLAN_TAG_PRESENT);
    assertThat(loads(forFiles)).doesNotContain(SKF_AD_VLAN_TAG_PRESENT);
  }

  @Test
  void anUnknownInterfaceAndABadExpressionAreOneLineEach() throws Exception {
    assertThatThrownBy(() -> Libpcap.get().compileLive("nosuch0", ETHERNET, 262_144, "vlan"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nosuch0: No such device exists");
    assertThatThrownBy(() -> Libpcap.get().compileLive("lo", ETHERNET, 262_144, "vlan nonsense"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad filter expression: ");
  }

  /** The k of every absolute load (ancillary ones are negative). */
  private static java.util.List<Integer> loads(byte[] program) {
    ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
    var loads = new java.util.ArrayList<Integer>();
    for (int at = 0; at < program.length; at += 8) {
      if ((code.getShort(at) & 0xe7) == 0x20) { // BPF_LD|BPF_ABS, any size
        loads.add(code.getInt(at + 4));
      }
    }
    return loads;
  }

  /** tcpdump's program as {@code -dd} prints it (C initialisers), as struct sock_filter bytes. */
  private static byte[] tcpdumps(String iface, String filter) throws IOException {
    var result = ExternalProcess.run(Duration.ofSeconds(30), "tcpdump", "-dd", "-i", iface, filter);
    assertThat(result.exit()).as(result.err()).isZero();
    Matcher instructions = INSTRUCTION.matcher(result.out());
    ByteBuffer code = ByteBuffer.allocate(8 * 256).order(ByteOrder.nativeOrder());
    while (instructions.find()) {
      code.putShort((short) Integer.parseInt(instructions.group(1), 16));
      code.put((byte) Integer.parseInt(instructions.group(2)));
      code.put((byte) Integer.parseInt(instructions.group(3)));
      code.putInt(Integer.parseUnsignedInt(instructions.group(4), 16));
    }
    byte[] bytes = new byte[code.position()];
    code.flip().get(bytes);
    return bytes;
  }
}
