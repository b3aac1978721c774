package dev.wharf.packets.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Classic BPF programs ({@code struct sock_filter}: code u16, jt u8, jf u8, k u32, in the host's
 * order) as the kernel needs them on a packet socket, done as libpcap's pcap-linux.c does:
 *
 * <ul>
 *   <li>A program compiled for a Linux cooked link type (SLL or SLL2) reads a 16- or 20-byte header
 *       that a {@code SOCK_DGRAM} socket's filter never sees: its packet starts at the network
 *       header. Loads past the header are moved back by its length; loads of its packet type,
 *       protocol or interface index become the kernel's ancillary loads ({@code SKF_AD_*}); a load
 *       of anything else in it (the link address) cannot run in the kernel, and the program stays
 *       in user space ({@link #forCookedSocket} is then empty).
 *   <li>On loopback (or {@code any}) every packet is seen twice, going out and coming in; a prefix
 *       drops the outgoing copy in the kernel so that it never reaches Java.
 * </ul>
 *
 * Stateless; any thread.
 */
public final class KernelFilters {
  static final int INSTRUCTION = 8;
  // <linux/filter.h>
  private static final int BPF_LD = 0x00;
  private static final int BPF_LDX = 0x01;
  private static final int BPF_W = 0x00;
  private static final int BPF_ABS = 0x20;
  private static final int BPF_IND = 0x40;
  private static final int BPF_MSH = 0xa0;
  private static final int BPF_JEQ_K = 0x05 | 0x10;
  private static final int BPF_RET_K = 0x06;
  private static final int SKF_AD_OFF = -0x1000;
  private static final int SKF_AD_PROTOCOL = 0;
  private static final int SKF_AD_PKTTYPE = 4;
  private static final int SKF_AD_IFINDEX = 8;
  private static final int PACKET_OUTGOING = 4;
  static final int SLL_HEADER = 16;
  static final int SLL2_HEADER = 20;

  private KernelFilters() {}

  /**
   * {@code program}, compiled for SLL ({@code sll2} false) or SLL2, rewritten to run on a cooked
   * socket's packets; empty where it reads the link address, which the kernel cannot give it.
   */
  public static Optional<byte[]> forCookedSocket(byte[] program, boolean sll2) {
    ByteBuffer code = ByteBuffer.wrap(program.clone()).order(ByteOrder.nativeOrder());
    for (int at = 0; at < program.length; at += INSTRUCTION) {
      int op = code.getShort(at) & 0xffff;
      int instructionClass = op & 0x07;
      int mode = op & 0xe0;
      boolean packetLoad =
          (instructionClass == BPF_LD || instructionClass == BPF_LDX)
              && (mode == BPF_ABS || mode == BPF_IND || mode == BPF_MSH);
      if (!packetLoad) {
        continue;
      }
      int k = code.getInt(at + 4);
      int header = sll2 ? SLL2_HEADER : SLL_HEADER;
      int moved;
      if (k < 0) {
        moved = k; // Already an ancillary load.
      } else if (k >= header) {
        moved = k - header;
      } else if (sll2 && k == 0 || !sll2 && k == 14) {
        moved = SKF_AD_OFF + SKF_AD_PROTOCOL;
      } else if (sll2 && k == 10 || !sll2 && k == 0) {
        moved = SKF_AD_OFF + SKF_AD_PKTTYPE;
      } else if (sll2 && k == 4) {
        moved = SKF_AD_OFF + SKF_AD_IFINDEX;
      } else {
        return Optional.empty();
      }
      code.putInt(at + 4, moved);
    }
    return Optional.of(code.array());
  }

  /** A program that keeps every packet, up to {@code snapLength} bytes of it. */
  public static byte[] acceptAll(int snapLength) {
    ByteBuffer code = ByteBuffer.allocate(INSTRUCTION).order(ByteOrder.nativeOrder());
    put(code, BPF_RET_K, 0, 0, snapLength);
    return code.array();
  }

  /**
   * {@code program} behind a prefix that drops what loopback interface {@code loopbackIndex} sends
   * (its received copy is kept), as libpcap skips them; {@code program} unchanged for -1.
   */
  public static byte[] skippingLoopbackEchoes(byte[] program, int loopbackIndex) {
    if (loopbackIndex < 0) {
      return program;
    }
    ByteBuffer code =
        ByteBuffer.allocate(5 * INSTRUCTION + program.length).order(ByteOrder.nativeOrder());
    // Jumps are relative (to the next instruction), so the program's own stay right after it.
    put(code, BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_PKTTYPE);
    put(code, BPF_JEQ_K, 0, 3, PACKET_OUTGOING); // outgoing: which interface? else the program
    put(code, BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_IFINDEX);
    put(code, BPF_JEQ_K, 0, 1, loopbackIndex); // loopback's: drop; else the program
    put(code, BPF_RET_K, 0, 0, 0);
    code.put(program);
    return code.array();
  }

  private static void put(ByteBuffer code, int op, int jt, int jf, int k) {
    code.putShort((short) op).put((byte) jt).put((byte) jf).putInt(k);
  }
}
