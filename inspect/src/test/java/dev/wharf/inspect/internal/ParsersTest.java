package dev.wharf.inspect.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.inspect.Endpoint;
import dev.wharf.inspect.SocketEntry;
import dev.wharf.inspect.SocketFamily;
import dev.wharf.inspect.SocketKind;
import dev.wharf.inspect.SocketState;
import dev.wharf.inspect.SocketTimer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sock_diag answers and /proc/net lines, parsed from bytes and text made by hand. */
class ParsersTest {

  /** An inet_diag_msg as the kernel lays it out, then an INET_DIAG_INFO of {@code infoBytes}. */
  static ByteBuffer inetDiagMessage(int infoBytes) {
    ByteBuffer b = ByteBuffer.allocate(72 + 4 + infoBytes).order(ByteOrder.nativeOrder());
    b.put((byte) 2).put((byte) 1).put((byte) 2).put((byte) 3); // AF_INET, ESTABLISHED, keepalive
    b.order(ByteOrder.BIG_ENDIAN).putShort((short) 8080).putShort((short) 443);
    b.put(new byte[] {127, 0, 0, 1})
        .put(new byte[12])
        .put(new byte[] {10, 0, 0, 2})
        .put(new byte[12]);
    b.order(ByteOrder.nativeOrder()).putInt(0).putInt(0).putInt(0); // if, cookie
    b.putInt(7100).putInt(5).putInt(6).putInt(1000).putInt(42); // expires .. inode
    b.putShort((short) (4 + infoBytes)).putShort((short) 2); // rtattr: INET_DIAG_INFO
    ByteBuffer info = b.slice().order(ByteOrder.nativeOrder());
    if (infoBytes >= 12) {
      info.put(2, (byte) 1); // tcpi_retransmits
      info.putInt(8, 200_000); // tcpi_rto
    }
    return b.rewind();
  }

  @Test
  void anInetDiagMessageReadsAsSsShowsIt() {
    SocketEntry entry = InetDiag.parse(SocketKind.TCP, inetDiagMessage(12)).orElseThrow();
    assertThat(entry.family()).isEqualTo(SocketFamily.IPV4);
    assertThat(entry.state()).isEqualTo(SocketState.ESTABLISHED);
    assertThat(entry.local().text()).isEqualTo("127.0.0.1:8080");
    assertThat(entry.peer().text()).isEqualTo("10.0.0.2:443");
    assertThat(entry.receiveQueue()).isEqualTo(5);
    assertThat(entry.sendQueue()).isEqualTo(6);
    assertThat(entry.uid()).isEqualTo(1000);
    assertThat(entry.inode()).isEqualTo(42);
    assertThat(entry.timer())
        .contains(new SocketTimer(SocketTimer.Kind.KEEPALIVE, Duration.ofMillis(7100), 3));
  }

  @Test
  void aShortTcpInfoFromAnOlderKernelReadsZeroBeyondItsEnd() {
    var info = InetDiag.parse(SocketKind.TCP, inetDiagMessage(12)).orElseThrow().tcpInfo();
    assertThat(info).isPresent();
    assertThat(info.get().rtoMicros()).isEqualTo(200_000);
    assertThat(info.get().retransmits()).isEqualTo(1);
    assertThat(info.get().rttMicros()).isZero();
    assertThat(info.get().deliveryRateBytesPerSecond()).isZero();
  }

  @Test
  void aTruncatedMessageIsSkipped() {
    ByteBuffer whole = inetDiagMessage(0);
    assertThat(InetDiag.parse(SocketKind.TCP, NetlinkMessages.slice(whole, 0, 71))).isEmpty();
  }

  @Test
  void procNetTcpLinesReadInHostOrder() {
    var lines =
        List.of(
            "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0  "
                + "      0 1685 1 0000000000000000 100 0 0 10 0",
            "   1: 0100007F:1F90 0200000A:01BB 06 00000000:00000000 03:00000BB8 00000000     0  "
                + "      0 0 3 0000000000000000");
    List<SocketEntry> entries = ProcNet.parseInet(SocketKind.TCP, lines);
    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).state()).isEqualTo(SocketState.LISTEN);
    assertThat(entries.get(0).local().text()).isEqualTo("127.0.0.1:8080");
    assertThat(entries.get(0).receiveQueue()).isEqualTo(2);
    assertThat(entries.get(0).inode()).isEqualTo(1685);
    assertThat(entries.get(1).state()).isEqualTo(SocketState.TIME_WAIT);
    assertThat(entries.get(1).peer().text()).isEqualTo("10.0.0.2:443");
    assertThat(entries.get(1).timer())
        .contains(new SocketTimer(SocketTimer.Kind.TIMEWAIT, Duration.ofMillis(30_000), 0));
  }

  @Test
  void procNetTcp6AddressesAreFourHostOrderWords() {
    Endpoint.Inet loopback = ProcNet.endpoint("00000000000000000000000001000000:0050");
    assertThat(loopback.text()).isEqualTo("[::1]:80");
    Endpoint.Inet mapped = ProcNet.endpoint("0000000000000000FFFF00000100007F:0050");
    assertThat(mapped.text()).isEqualTo("[::ffff:127.0.0.1]:80");
  }

  @Test
  void unixNamesAsSsWritesThem() {
    assertThat(UnixDiag.name(new byte[] {0, 'a', 'b'})).isEqualTo("@ab");
    assertThat(UnixDiag.name("/run/x.sock".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo("/run/x.sock");
    var lines =
        List.of(
            "0000000000000000: 00000002 00000000 00010000 0001 01 3597850 /run/x.sock",
            "0000000000000000: 00000003 00000000 00000000 0001 03 3597851",
            "0000000000000000: 00000002 00000000 00000000 0002 01 3597852 @abstract");
    List<SocketEntry> entries = ProcNet.parseUnix(lines);
    assertThat(entries)
        .extracting(SocketEntry::state)
        .containsExactly(SocketState.LISTEN, SocketState.ESTABLISHED, SocketState.CLOSE);
    assertThat(entries)
        .extracting(SocketEntry::kind)
        .containsExactly(SocketKind.UNIX_STREAM, SocketKind.UNIX_STREAM, SocketKind.UNIX_DGRAM);
    assertThat(entries.get(0).local().text()).isEqualTo("/run/x.sock 3597850");
    assertThat(entries.get(1).local().text()).isEqualTo("* 3597851");
  }

  /** An IPv6 listener on {@code ::} port 8080 with an INET_DIAG_SKV6ONLY of {@code v6only}. */
  static ByteBuffer v6WildcardListener(int v6only) {
    ByteBuffer b = ByteBuffer.allocate(72 + 8).order(ByteOrder.nativeOrder());
    b.put((byte) 10).put((byte) 10).put((byte) 0).put((byte) 0); // AF_INET6, LISTEN
    b.order(ByteOrder.BIG_ENDIAN).putShort((short) 8080).putShort((short) 0);
    b.put(new byte[32]); // :: and ::
    b.order(ByteOrder.nativeOrder()).putInt(0).putInt(0).putInt(0); // if, cookie
    b.putInt(0).putInt(0).putInt(128).putInt(0).putInt(42); // expires .. inode
    b.putShort((short) 5).putShort((short) 11).put((byte) v6only); // rtattr: INET_DIAG_SKV6ONLY
    return b.rewind();
  }

  @Test
  void aDualStackWildcardReadsAsSsShowsIt() {
    SocketEntry dual = InetDiag.parse(SocketKind.TCP, v6WildcardListener(0), false).orElseThrow();
    assertThat(dual.local().text()).isEqualTo("*:8080");
    assertThat(dual.peer().text()).isEqualTo("*:*");
    assertThat(((Endpoint.Inet) dual.local()).host()).isEqualTo("::");

    SocketEntry v6only = InetDiag.parse(SocketKind.TCP, v6WildcardListener(1), false).orElseThrow();
    assertThat(v6only.local().text()).isEqualTo("[::]:8080");
    assertThat(v6only.peer().text()).isEqualTo("[::]:*");
  }
}
