package dev.wharf.packets.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.wharf.packets.PacketSocketException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The system's libpcap (Debian's libpcap0.8: {@code libpcap.so.0.8}), for its filter compiler only:
 * {@code pcap_compile} on a {@code pcap_open_dead} handle turns tcpdump's expression language into
 * classic BPF, and {@code pcap_offline_filter} runs a program on a packet in user space. Wharf does
 * not capture through libpcap. Safe from any thread (libpcap 1.8+ compiles thread-safely); each
 * program belongs to the caller.
 */
public final class Libpcap {
  private static final String[] NAMES = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"};

  /** PCAP_NETMASK_UNKNOWN: broadcast tests need a netmask, which we do not give. */
  private static final int NETMASK_UNKNOWN = 0xffffffff;

  private static Libpcap linked;

  private final MethodHandle openDead;
  private final MethodHandle compile;
  private final MethodHandle geterr;
  private final MethodHandle freecode;
  private final MethodHandle close;
  private final MethodHandle offlineFilter;

  @SuppressWarnings("restricted") // the reason for this class; the launcher grants it
  private Libpcap(SymbolLookup lookup) {
    Linker linker = Linker.nativeLinker();
    openDead =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_open_dead"),
            FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
    compile =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_compile"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
    geterr =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_geterr"), FunctionDescriptor.of(ADDRESS, ADDRESS));
    freecode =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_freecode"), FunctionDescriptor.ofVoid(ADDRESS));
    close =
        linker.downcallHandle(lookup.findOrThrow("pcap_close"), FunctionDescriptor.ofVoid(ADDRESS));
    offlineFilter =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_offline_filter"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
  }

  /**
   * libpcap, loaded on first use.
   *
   * @throws PacketSocketException where it is missing (install libpcap0.8) or native access is off
   */
  @SuppressWarnings("restricted")
  public static synchronized Libpcap get() throws PacketSocketException {
    if (linked != null) {
      return linked;
    }
    RuntimeException last = null;
    for (String name : NAMES) {
      try {
        linked = new Libpcap(SymbolLookup.libraryLookup(name, Arena.global()));
        return linked;
      } catch (IllegalArgumentException
          | IllegalCallerException
          | java.util.NoSuchElementException e) {
        last = e;
      }
    }
    throw new PacketSocketException(
        0,
        "filters need the system's libpcap to compile them (libpcap.so.0.8: apt install"
            + " libpcap0.8), not found: "
            + (last == null ? "" : last.getMessage()));
  }

  /**
   * Compiles {@code expression} for packets of {@code linkType} into classic BPF instructions (8
   * bytes each: code, jt, jf, k, in the host's order, as {@code struct sock_filter}).
   *
   * @throws IllegalArgumentException with libpcap's message where the expression is wrong
   */
  @SuppressWarnings("restricted") // libpcap's error text and program, read at once
  public byte[] compile(int linkType, int snapLength, String expression) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pcap = (MemorySegment) openDead.invokeExact(linkType, snapLength);
      if (pcap.equals(MemorySegment.NULL)) {
        throw new IllegalStateException("pcap_open_dead failed");
      }
      try {
        // struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; }
        MemorySegment program = arena.allocate(16, 8);
        int rc =
            (int)
                compile.invokeExact(
                    pcap, program, arena.allocateFrom(expression), 1, NETMASK_UNKNOWN);
        if (rc != 0) {
          MemorySegment message = (MemorySegment) geterr.invokeExact(pcap);
          throw new IllegalArgumentException(
              "bad filter expression: " + message.reinterpret(512).getString(0));
        }
        int count = program.get(JAVA_INT, 0);
        byte[] instructions =
            program.get(ADDRESS, 8).reinterpret(count * 8L).toArray(ValueLayout.JAVA_BYTE);
        freecode.invokeExact(program);
        return instructions;
      } finally {
        close.invokeExact(pcap);
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs compiled {@code instructions} on {@code packet}: true when the filter keeps it. */
  public boolean matches(byte[] instructions, byte[] packet, int wireLength) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment program = arena.allocate(16, 8);
      program.set(JAVA_INT, 0, instructions.length / 8);
      program.set(ADDRESS, 8, arena.allocateFrom(ValueLayout.JAVA_BYTE, instructions));
      // struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; }
      MemorySegment header = arena.allocate(24, 8);
      header.set(JAVA_INT, 16, packet.length);
      header.set(JAVA_INT, 20, wireLength);
      MemorySegment data = arena.allocate(Math.max(1, packet.length), 8);
      MemorySegment.copy(packet, 0, data, ValueLayout.JAVA_BYTE, 0, packet.length);
      return (int) offlineFilter.invokeExact(program, header, data) != 0;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
