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
 * {@code pcap_compile} turns tcpdump's expression language into classic BPF, on a {@code
 * pcap_open_dead} handle for files and user space, or on a live handle for a capture's kernel
 * ({@link #compileLive}); {@code pcap_offline_filter} runs a program on a packet in user space.
 * Wharf does not capture through libpcap. Safe from any thread (libpcap 1.8+ compiles
 * thread-safely); each program belongs to the caller.
 */
public final class Libpcap {
  private static final String[] NAMES = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"};

  /** PCAP_NETMASK_UNKNOWN: broadcast tests need a netmask, which we do not give. */
  private static final int NETMASK_UNKNOWN = 0xffffffff;

  private static final int ERRBUF_SIZE = 256; // PCAP_ERRBUF_SIZE
  private static final int ERROR_NO_SUCH_DEVICE = -5;
  private static final int ERROR_PERM_DENIED = -8;
  private static final int EPERM = 1;

  /** pcap link type 101, raw IP, and the DLT_ value libpcap knows it by on Linux. */
  private static final int LINKTYPE_RAW = 101;

  private static final int DLT_RAW = 12;

  /**
   * The live handle's ring, as small as libpcap allows (it rounds up to one block): it only
   * compiles, and is closed before it reads a packet.
   */
  private static final int COMPILING_BUFFER = 1;

  private static Libpcap linked;

  private final MethodHandle openDead;
  private final MethodHandle create;
  private final MethodHandle setSnaplen;
  private final MethodHandle setBufferSize;
  private final MethodHandle activate;
  private final MethodHandle datalink;
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
    create =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_create"), FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    setSnaplen =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_set_snaplen"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    setBufferSize =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_set_buffer_size"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    activate =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_activate"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
    datalink =
        linker.downcallHandle(
            lookup.findOrThrow("pcap_datalink"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
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
   * Compiles {@code expression} for packets of {@code linkType} read from a file or filtered in
   * user space, into classic BPF instructions (8 bytes each: code, jt, jf, k, in the host's order,
   * as {@code struct sock_filter}).
   *
   * @throws IllegalArgumentException with libpcap's message where the expression is wrong
   */
  public byte[] compile(int linkType, int snapLength, String expression) {
    // pcap_open_dead takes a DLT_ value, which is the file's LINKTYPE_ value for all link types
    // here but raw IP: LINKTYPE_RAW (101) is DLT_RAW (12 on Linux), libpcap's pcap-common.c.
    int dataLink = linkType == LINKTYPE_RAW ? DLT_RAW : linkType;
    try {
      MemorySegment pcap = (MemorySegment) openDead.invokeExact(dataLink, snapLength);
      if (pcap.equals(MemorySegment.NULL)) {
        throw new IllegalStateException("pcap_open_dead failed");
      }
      return compileOn(pcap, expression);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Compiles {@code expression} for the kernel of a live capture on {@code interfaceName} whose
   * frames are of {@code linkType}: the program tcpdump attaches. It differs from {@link
   * #compile}'s where the kernel does not show a packet as it is on the wire: Linux takes VLAN tags
   * off into the packet's auxiliary data, and libpcap's {@code vlan} then reads them with ancillary
   * loads ({@code SKF_AD_VLAN_TAG_PRESENT}, {@code SKF_AD_VLAN_TAG}). libpcap does so only on a
   * handle that it activated on a Linux interface (it asks the kernel's socket for {@code
   * SO_BPF_EXTENSIONS}, and no call sets that from outside), so one is opened here, with the
   * smallest ring, and closed once the program is compiled: a socket, a bind and a mapping of one
   * block, once per capture. Needs CAP_NET_RAW, as the capture does.
   *
   * @throws IllegalArgumentException for a bad expression or an interface libpcap does not know
   * @throws PacketSocketException where libpcap cannot open the interface (permission denied as
   *     errno EPERM, as the capture's own socket would say)
   */
  @SuppressWarnings("restricted") // libpcap's error text, read at once
  public byte[] compileLive(String interfaceName, int linkType, int snapLength, String expression)
      throws PacketSocketException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errors = arena.allocate(ERRBUF_SIZE);
      MemorySegment pcap =
          (MemorySegment) create.invokeExact(arena.allocateFrom(interfaceName), errors);
      if (pcap.equals(MemorySegment.NULL)) {
        throw new PacketSocketException(0, interfaceName + ": " + errors.getString(0));
      }
      int set = (int) setSnaplen.invokeExact(pcap, snapLength);
      set |= (int) setBufferSize.invokeExact(pcap, COMPILING_BUFFER);
      int activated = set != 0 ? set : (int) activate.invokeExact(pcap);
      if (activated < 0) { // > 0 is a warning (promiscuous mode unsupported...), not a failure
        String message = ((MemorySegment) geterr.invokeExact(pcap)).reinterpret(512).getString(0);
        close.invokeExact(pcap);
        throw switch (activated) {
          case ERROR_PERM_DENIED -> new PacketSocketException(EPERM, message);
          case ERROR_NO_SUCH_DEVICE ->
              new IllegalArgumentException(interfaceName + ": No such device exists");
          default -> new PacketSocketException(0, interfaceName + ": " + message);
        };
      }
      if ((int) datalink.invokeExact(pcap) != linkType) {
        // Not the frames this capture gets (libpcap maps the device otherwise): a program for
        // them, not one for libpcap's.
        close.invokeExact(pcap);
        return compile(linkType, snapLength, expression);
      }
      return compileOn(pcap, expression);
    } catch (PacketSocketException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** pcap_compile on {@code pcap}, which it closes. */
  @SuppressWarnings("restricted") // libpcap's error text and program, read at once
  private byte[] compileOn(MemorySegment pcap, String expression) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
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
