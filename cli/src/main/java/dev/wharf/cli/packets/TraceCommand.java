package dev.wharf.cli.packets;

import dev.wharf.cli.Failures;
import dev.wharf.cli.Json;
import dev.wharf.packets.Capture;
import dev.wharf.packets.CaptureDevices;
import dev.wharf.packets.PacketSocketException;
import dev.wharf.packets.decode.ConnectionStory;
import dev.wharf.packets.decode.DecodedPacket;
import dev.wharf.packets.decode.Names;
import dev.wharf.packets.decode.PacketDecoder;
import dev.wharf.packets.decode.PacketJson;
import dev.wharf.packets.decode.TcpdumpText;
import dev.wharf.packets.pcap.CaptureFileReader;
import dev.wharf.packets.pcap.CaptureFileWriter;
import dev.wharf.packets.pcap.CaptureInterface;
import dev.wharf.packets.pcap.CapturedPacket;
import dev.wharf.packets.pcap.FrameConsumer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf trace}: packet capture and decoding, as tcpdump. */
@Command(
    name = "trace",
    mixinStandardHelpOptions = true,
    description = {
      "Captures packets on an interface (-i; 'any' for all) through an AF_PACKET socket, or reads"
          + " a pcap or pcapng file (-r), and prints one line per packet as tcpdump does, or"
          + " JSON (--json), or writes pcap (-w). Linux only; capturing needs CAP_NET_RAW.",
      "FILTER is tcpdump's expression language ('tcp port 8080', 'not arp'), compiled by the"
          + " system's libpcap into classic BPF that runs in the kernel (on 'any' and -r, here)."
    })
public final class TraceCommand implements Callable<Integer> {
  /** tcpdump's exit code for a capture that could not start or a file it could not read. */
  static final int FAILED = 1;

  static final int USAGE = 2;

  /** libpcap's block timeout, as tcpdump asks for it (pcap_set_timeout 1000 ms). */
  static final Duration WRITING_BLOCK_TIMEOUT = Duration.ofSeconds(1);

  /** Short enough that printed lines seem to come at once, long enough for fuller blocks. */
  static final Duration PRINTING_BLOCK_TIMEOUT = Duration.ofMillis(100);

  /**
   * How long a wait for a block lasts at most before the loop looks whether a signal asked it to
   * stop: the handler cannot wake a thread in poll(2), and an idle link hands over no block.
   */
  private static final Duration STOP_CHECK = Duration.ofMillis(100);

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneId.systemDefault());

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILTER", arity = "0..*", description = "A tcpdump filter expression.")
  List<String> filterWords = List.of();

  @Option(
      names = "-i",
      paramLabel = "IFACE",
      description =
          "Interface, or any, or a number -D lists (default: the first up and not loopback).")
  String interfaceName;

  @Option(names = "-c", paramLabel = "N", description = "Stop after N packets.")
  Long count;

  @Option(
      names = "-n",
      description =
          "Addresses and ports as numbers. Without -n, as tcpdump: hosts by reverse lookup (at most"
              + " 1 s each, then numeric), ports by /etc/services, MACs by their OUI.")
  boolean numeric;

  @Option(
      names = "-s",
      paramLabel = "SNAPLEN",
      description = "Bytes kept of each packet (default: 262144).")
  int snapLength = 262_144;

  @Option(names = "-w", paramLabel = "FILE", description = "Write the packets to FILE as pcap.")
  Path writeFile;

  @Option(
      names = "--pcapng",
      description = "With -w: write pcapng (nanosecond timestamps, the interface named) not pcap.")
  boolean pcapng;

  @Option(
      names = "-W",
      paramLabel = "N",
      description =
          "With -C: a ring of N files (FILE0.., the oldest overwritten); with -G: stop after N"
              + " files.")
  Integer fileLimit;

  @Option(
      names = "-e",
      description = "The link-level header too: MAC addresses, EtherType, length (as tcpdump -e).")
  boolean linkLevel;

  @Option(names = "-r", paramLabel = "FILE", description = "Read packets from a pcap/pcapng file.")
  Path readFile;

  @Option(
      names = "--json",
      description = "One JSON object per packet, every layer (with -D: the devices as JSON).")
  boolean json;

  @Option(
      names = "-v",
      description =
          "Every header field as tcpdump -v prints them: TTL, id, offset, flags,"
              + " protocol, length, checksums verified.")
  boolean verbose;

  @Option(names = "-X", description = "Each packet's bytes past the link header in hex and ASCII.")
  boolean hex;

  @Option(
      names = "--follow",
      description =
          "TCP connections as stories: SYN, SYN-ACK, ACK, data, FIN, TIME-WAIT, with the"
              + " handshake's round-trip time and retransmissions marked.")
  boolean follow;

  @Option(
      names = "-C",
      paramLabel = "SIZE",
      description = "With -w: a new file (FILE1, FILE2, ...) once one is over SIZE million bytes.")
  Long fileSize;

  @Option(
      names = "-G",
      paramLabel = "SECONDS",
      description =
          "With -w: a new file every SECONDS, FILE's strftime %%Y%%m%%d %%H%%M%%S filled in.")
  Long rotateSeconds;

  @Option(
      names = "-y",
      paramLabel = "TYPE",
      description =
          "Link type: LINUX_SLL or LINUX_SLL2 (cooked headers; default on any: LINUX_SLL2,"
              + " as tcpdump), or EN10MB.")
  String linkTypeName;

  @Option(
      names = "-B",
      paramLabel = "KiB",
      description = "The capture ring's size in KiB (default: 2048, as tcpdump).")
  int bufferKib = 2048;

  @Option(
      names = {"-D", "--list-interfaces"},
      description =
          "List the devices a capture can open (-i), numbered, with their state, as tcpdump -D,"
              + " and exit.")
  boolean listDevices;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (listDevices) {
      return listDevices(out, err, json);
    }
    if (count != null && count < 1) {
      return mistake(err, "-c must be at least 1, got " + count);
    }
    if (snapLength == 0) {
      snapLength = 262_144; // tcpdump's -s 0: the default
    }
    if (snapLength < 0 || snapLength > 262_144) {
      return mistake(err, "-s must be 0 to 262144, got " + snapLength);
    }
    if (readFile != null && interfaceName != null) {
      return mistake(err, "-r and -i exclude each other");
    }
    if ((fileSize != null || rotateSeconds != null) && writeFile == null) {
      return mistake(err, "-C and -G need -w FILE");
    }
    if (fileSize != null && fileSize < 1 || rotateSeconds != null && rotateSeconds < 1) {
      return mistake(err, "-C and -G must be at least 1");
    }
    if (fileLimit != null && (fileSize == null && rotateSeconds == null || fileLimit < 1)) {
      return mistake(err, "-W needs -C or -G, and must be at least 1");
    }
    if (pcapng && writeFile == null) {
      return mistake(err, "--pcapng needs -w FILE");
    }
    if (bufferKib < 64 || bufferKib > 1 << 20) {
      return mistake(err, "-B must be 64 to 1048576 KiB, got " + bufferKib);
    }
    if (writeFile != null && (json || follow || hex || verbose || linkLevel)) {
      return mistake(err, "-w writes packets, not text: --json, --follow, -v, -X and -e print");
    }
    if (json && (follow || hex)) {
      return mistake(err, "--json excludes --follow and -X");
    }
    String filter = String.join(" ", filterWords);
    try {
      // picocli's writer flushes on each println: a write per packet. Lines are gathered here and
      // written a block of packets at a time (capture) or at the end (-r).
      PrintWriter lines = new PrintWriter(new java.io.BufferedWriter(out, 1 << 16), false);
      return readFile != null ? read(filter, lines, err) : capture(filter, lines, err);
    } catch (IllegalArgumentException e) {
      return mistake(err, e.getMessage());
    } catch (PacketSocketException e) {
      err.println("wharf trace: " + describe(e));
      err.flush();
      return FAILED;
    } catch (IOException e) {
      err.println("wharf trace: " + Failures.describe(e));
      err.flush();
      return FAILED;
    }
  }

  /**
   * {@code {"number":1,"name":"eth0","description":null,"up":true,"running":true,
   * "loopback":false,"wireless":false,"connected":true}}: connected is null where it does not apply
   * or the driver does not say.
   */
  private static String deviceJson(int number, CaptureDevices.Device device) {
    return "{\"number\":"
        + number
        + ",\"name\":"
        + Json.quote(device.name())
        + ",\"description\":"
        + device.description().map(Json::quote).orElse("null")
        + ",\"up\":"
        + device.up()
        + ",\"running\":"
        + device.running()
        + ",\"loopback\":"
        + device.loopback()
        + ",\"wireless\":"
        + device.wireless()
        + ",\"connected\":"
        + device.connected().map(String::valueOf).orElse("null")
        + "}";
  }

  /** The device -D lists as {@code number}, as tcpdump -i takes it. */
  private static String numbered(int number) throws IOException {
    List<CaptureDevices.Device> devices = CaptureDevices.list();
    if (number < 1 || number > devices.size()) {
      throw new IllegalArgumentException(
          "-i "
              + number
              + ": there are "
              + devices.size()
              + " devices (wharf trace -D lists them)");
    }
    return devices.get(number - 1).name();
  }

  private static int listDevices(PrintWriter out, PrintWriter err, boolean json) {
    try {
      List<CaptureDevices.Device> devices = CaptureDevices.list();
      if (json) {
        out.print("{\"devices\":[");
      }
      for (int i = 0; i < devices.size(); i++) {
        if (json) {
          out.print((i == 0 ? "\n" : ",\n") + deviceJson(i + 1, devices.get(i)));
        } else {
          out.println(CaptureDevices.line(i + 1, devices.get(i)));
        }
      }
      if (json) {
        out.println("\n]}");
      }
      out.flush();
      return 0;
    } catch (IOException e) {
      err.println("wharf trace: cannot list the devices: " + Failures.describe(e));
      err.flush();
      return FAILED;
    }
  }

  private static String describe(PacketSocketException e) {
    return e.isPermissionDenied()
        ? "permission denied: capturing needs CAP_NET_RAW (sudo, or setcap cap_net_raw+ep on the"
            + " java binary)"
        : e.getMessage();
  }

  private static int mistake(PrintWriter err, String message) {
    err.println("wharf trace: " + message);
    err.flush();
    return USAGE;
  }

  private int read(String filter, PrintWriter out, PrintWriter err) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(readFile))) {
      var reader = new CaptureFileReader(in);
      int linkType = reader.linkType();
      // A pcapng file may hold interfaces of several link types (dumpcap -i eth0 -i any): each
      // packet is decoded, and filtered, as its own interface's. libpcap compiles a filter for one
      // link type: one program per link type met.
      var programs = new java.util.HashMap<Integer, byte[]>();
      if (!filter.isBlank()) {
        programs.put(linkType, compile(linkType, filter));
      }
      err.println("reading from file " + readFile + ", link-type " + linkTypeName(linkType));
      err.flush();
      var sink = sink(out, linkType, null);
      long seen = 0;
      for (Optional<CapturedPacket> next = reader.next(); next.isPresent(); next = reader.next()) {
        CapturedPacket packet = next.get();
        int itsLinkType = reader.interfaceOf(packet).linkType();
        if (writeFile != null && itsLinkType != linkType) {
          throw new IOException(
              readFile
                  + " holds packets of link types "
                  + linkTypeName(linkType)
                  + " and "
                  + linkTypeName(itsLinkType)
                  + ": -w writes a file of one");
        }
        if (!filter.isBlank()) {
          byte[] program = programs.get(itsLinkType);
          if (program == null) {
            program = compile(itsLinkType, filter);
            programs.put(itsLinkType, program);
          }
          if (!matches(program, packet)) {
            continue;
          }
        }
        sink.accept(packet, itsLinkType, reader.isPcapng() ? reader.interfaceOf(packet) : null);
        if (count != null && ++seen >= count) {
          break;
        }
      }
      sink.close();
      return 0;
    }
  }

  private int capture(String filter, PrintWriter out, PrintWriter err) throws IOException {
    String name = interfaceName;
    if (name != null
        && name.matches("[0-9]{1,4}")
        && !Files.exists(Path.of("/sys/class/net", name))) {
      name = numbered(Integer.parseInt(name));
    }
    if (name == null) {
      name =
          Capture.defaultInterface()
              .orElseThrow(() -> new IOException("no suitable device found (try -i any)"));
    }
    int wanted =
        switch (linkTypeName == null ? "" : linkTypeName.toUpperCase(java.util.Locale.ROOT)) {
          case "" -> 0;
          case "LINUX_SLL" -> PacketDecoder.LINKTYPE_LINUX_SLL;
          case "LINUX_SLL2" -> PacketDecoder.LINKTYPE_LINUX_SLL2;
          case "EN10MB" -> PacketDecoder.LINKTYPE_ETHERNET;
          default ->
              throw new IllegalArgumentException(
                  "-y must be LINUX_SLL, LINUX_SLL2 or EN10MB, got " + linkTypeName);
        };
    // Blocks handed over after 1 s when writing, as tcpdump's libpcap asks: fewer, fuller blocks,
    // less work per packet. Printed lines should come while one watches: 100 ms.
    Duration blockTimeout = writeFile != null ? WRITING_BLOCK_TIMEOUT : PRINTING_BLOCK_TIMEOUT;
    // What can be made before the socket is bound is made first: from then on the kernel fills
    // the ring whether or not it is read, and a JVM's first milliseconds are slow.
    var stop = CaptureStop.onSignals(blockTimeout, Duration.ofSeconds(10));
    try (Capture capture =
        Capture.open(name, snapLength, filter, bufferKib * 1024, wanted, blockTimeout)) {
      stop.watch(capture, captured -> report(err, captured, capture));
      if (writeFile != null) {
        return captureToFile(capture, stop, name, err);
      }
      var sink = sink(out, capture.linkType(), name);
      var counts = new long[1];
      FrameConsumer printed =
          (memory, offset, captured, wire, seconds, nanos) -> {
            byte[] data = new byte[captured];
            memory.get(offset, data);
            sink.accept(
                new CapturedPacket(java.time.Instant.ofEpochSecond(seconds, nanos), data, wire),
                capture.linkType());
            counts[0]++;
            return count == null || counts[0] < count;
          };
      listening(err, name, capture);
      // A block at a time, as -w: the lines of a block, then one flush (a write per block, not
      // per packet).
      while ((count == null || counts[0] < count) && !stop.isOver()) {
        if (capture.await(stop.waitUntil(STOP_CHECK))) {
          capture.drain(System.nanoTime(), printed); // a block is ready: no wait
          stop.counted(counts[0]);
          out.flush(); // may block on a full pipe: a second signal then ends the process
        }
      }
      sink.close();
      stop.summarize(counts[0]);
      return 0;
    } finally {
      stop.finished(); // for a shutdown hook that waits, however the capture ended
    }
  }

  /**
   * tcpdump's line, once everything is ready and the next thing is reading (tcpdump too prints it
   * after opening its file, before its loop): one who waits for it to start traffic loses none.
   */
  private void listening(PrintWriter err, String name, Capture capture) {
    err.println(
        "wharf trace: listening on "
            + name
            + ", link-type "
            + linkTypeName(capture.linkType())
            + ", snapshot length "
            + snapLength
            + " bytes");
    err.flush();
  }

  /**
   * -w: frames go from the ring to the file as they lie in its memory ({@link Capture#drain}),
   * decoded never, gathered in a buffer written once it holds a megabyte (and at the end).
   */
  private int captureToFile(Capture capture, CaptureStop stop, String name, PrintWriter err)
      throws IOException {
    RotatingPcap files = files(capture.linkType(), name);
    var counts = new long[1];
    FrameConsumer counted =
        (memory, offset, captured, wire, seconds, nanos) -> {
          if (!files.accept(memory, offset, captured, wire, seconds, nanos)) {
            return false; // -G's files reached -W's limit
          }
          counts[0]++;
          return count == null || counts[0] < count;
        };
    listening(err, name, capture);
    while ((count == null || counts[0] < count) && !files.limitReached() && !stop.isOver()) {
      if (capture.await(stop.waitUntil(STOP_CHECK))) {
        capture.drain(System.nanoTime(), counted); // a block is ready: no wait
        stop.counted(counts[0]);
      }
    }
    files.close();
    if (files.limitReached()) {
      err.println("Maximum file limit reached: " + files.fileLimit());
    }
    stop.summarize(counts[0]);
    return 0;
  }

  /** The -w files, the first opened now: -C, -G, -W, --pcapng as given. */
  private RotatingPcap files(int linkType, String interfaceName) throws IOException {
    var files =
        new RotatingPcap(
            writeFile.toString(),
            pcapng ? CaptureFileWriter.Format.PCAPNG : CaptureFileWriter.Format.PCAP,
            linkType,
            snapLength,
            interfaceName,
            fileSize == null ? 0 : fileSize * 1_000_000,
            rotateSeconds == null ? 0 : rotateSeconds,
            fileLimit == null ? 0 : fileLimit,
            ZoneId.systemDefault());
    files.start(java.time.Instant.now());
    return files;
  }

  /** tcpdump's closing counts, on stderr, "1 packet" and "2 packets" as its are. */
  private static void report(PrintWriter err, long captured, Capture capture) {
    try {
      Capture.Statistics statistics = capture.statistics();
      err.println(packets(captured) + " captured");
      err.println(packets(statistics.received()) + " received by filter");
      err.println(packets(statistics.dropped()) + " dropped by kernel");
    } catch (PacketSocketException e) {
      err.println(packets(captured) + " captured");
    }
    err.flush();
  }

  private static String packets(long count) {
    return count + (count == 1 ? " packet" : " packets");
  }

  private static byte[] compile(int linkType, String filter) throws PacketSocketException {
    return dev.wharf.packets.Filters.compile(linkType, 262_144, filter);
  }

  private static boolean matches(byte[] program, CapturedPacket packet)
      throws PacketSocketException {
    return dev.wharf.packets.Filters.matches(program, packet);
  }

  /** Where packets go: a pcap file, JSON lines, or tcpdump lines. */
  private interface Sink {
    /** {@code packet}, whose frame is of {@code linkType}. */
    default void accept(CapturedPacket packet, int linkType) {
      accept(packet, linkType, null);
    }

    /**
     * {@code packet}, whose frame is of {@code linkType}, read from a pcapng file's interface
     * {@code from} (null for a live capture or a pcap file).
     */
    void accept(CapturedPacket packet, int linkType, CaptureInterface from);

    void close();
  }

  /** The packets' sink; a -w file's link type is {@code fileLinkType}. */
  private Sink sink(PrintWriter out, int fileLinkType, String interfaceName) throws IOException {
    if (writeFile != null) {
      var files = files(fileLinkType, interfaceName);
      return new Sink() {
        @Override
        public void accept(CapturedPacket packet, int linkType, CaptureInterface from) {
          try {
            files.write(packet, packet.time()); // the kernel's clock, read once per packet
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }

        @Override
        public void close() {
          try {
            files.close();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      };
    }
    // DNS and HTTP words as tcpdump prints them, with -v and without, and their --json layers.
    var words = new ApplicationWords(verbose);
    // One Names for the lines and the stories: its lookups and caches serve both.
    Names names = numeric ? Names.NUMERIC : SystemNames.ofSystem();
    var text = new TcpdumpText(verbose, linkLevel, words, names);
    var story = new ConnectionStory(names);
    return new Sink() {
      @Override
      public void accept(CapturedPacket packet, int linkType, CaptureInterface from) {
        DecodedPacket decoded = PacketDecoder.decode(linkType, packet.data(), packet.wireLength());
        if (json) {
          String prefix = "\"time\":\"" + packet.time() + "\"," + interfaceJson(packet, from);
          out.println(PacketJson.of(decoded, packet.data(), words, prefix));
        } else if (follow) {
          story
              .next(packet.time(), decoded)
              .ifPresent(line -> out.println(CLOCK.format(packet.time()) + " " + line));
        } else {
          out.print(CLOCK.format(packet.time()) + " " + text.line(decoded, packet.data()));
          if (hex) {
            out.print(
                TcpdumpText.hexAndAscii(packet.data(), TcpdumpText.linkHeaderLength(decoded)));
          }
          out.println();
        }
      }

      @Override
      public void close() {
        out.flush();
      }
    };
  }

  /**
   * A pcapng packet's interface for --json: {@code "interface":{"index":1,"name":"eth0"},}, its
   * index counted through the file's interface description blocks (every section's, in order), its
   * name where the block has an {@code if_name}; nothing for a live capture or a pcap file.
   */
  static String interfaceJson(CapturedPacket packet, CaptureInterface from) {
    if (from == null) {
      return "";
    }
    var json = new StringBuilder("\"interface\":{\"index\":").append(packet.interfaceId());
    if (!from.name().isEmpty()) {
      json.append(",\"name\":\"");
      for (char c : from.name().toCharArray()) {
        if (c == '"' || c == '\\') {
          json.append('\\').append(c);
        } else if (c < 0x20) {
          json.append(String.format("\\u%04x", (int) c));
        } else {
          json.append(c);
        }
      }
      json.append('"');
    }
    return json.append("},").toString();
  }

  static String linkTypeName(int linkType) {
    return switch (linkType) {
      case PacketDecoder.LINKTYPE_ETHERNET -> "EN10MB (Ethernet)";
      case PacketDecoder.LINKTYPE_LINUX_SLL -> "LINUX_SLL (Linux cooked v1)";
      case PacketDecoder.LINKTYPE_LINUX_SLL2 -> "LINUX_SLL2 (Linux cooked v2)";
      case PacketDecoder.LINKTYPE_RAW -> "RAW (Raw IP)";
      default -> Integer.toString(linkType);
    };
  }
}
