package dev.wharf.cli.scan;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.ProcessLimits;
import dev.wharf.packets.AddressText;
import dev.wharf.packets.SynProber;
import dev.wharf.scan.PortList;
import dev.wharf.scan.PortResult;
import dev.wharf.scan.RttEstimator;
import dev.wharf.scan.Services;
import dev.wharf.scan.SynScanner;
import dev.wharf.scan.TcpScanner;
import dev.wharf.scan.TopPorts;
import dev.wharf.scan.UdpScanner;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wharf scan}: a TCP connect scan of one host, as {@code nmap -sT}, or a UDP scan, as {@code
 * nmap -sU}, both unprivileged; or a half-open SYN scan, as {@code nmap -sS}, on raw sockets.
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = {
      "Scans TCP ports of HOST with full connects, as nmap -sT does (no privileges needed): open"
          + " (the connect completed), closed (refused: RST) or filtered (no answer within"
          + " --timeout, or an ICMP error).",
      "With -sU (--udp), UDP ports, as nmap -sU does but from a connected socket per port: open"
          + " (a reply came), closed (ICMP port unreachable), filtered (another ICMP error) or"
          + " open|filtered (silence, after --retries more tries). DNS and NTP ports get a real"
          + " request, others an empty datagram.",
      "With -sS (--syn), a half-open scan on raw sockets, as nmap -sS does (needs CAP_NET_RAW):"
          + " a SYN to each port; open on SYN-ACK (this host's kernel, which holds no socket for"
          + " it, answers with a RST: the connection is never completed), closed on RST, filtered"
          + " on an ICMP unreachable or on silence. Its timing is nmap -T4's, adaptive: each SYN"
          + " waits a timeout learnt from the answers' round trips (--initial-rtt-timeout,"
          + " --min-rtt-timeout, --max-rtt-timeout), a window of SYNs awaiting answers grows with"
          + " answers and shrinks on silence (up to --concurrency), and a silent port gets one"
          + " retry more than any answered port needed (up to --retries).",
      "Without PORTS, the 1000 ports nmap finds open most often (its --top-ports 1000). Lists"
          + " only open ports and counts the rest, unless -v. A progress line is shown on stderr"
          + " when it is a terminal."
    })
public final class ScanCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "HOST", description = "Host name or address (IPv4, IPv6).")
  String host;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "PORTS",
      description = "Ports: 22,80,8000-8100; - for all 65535 (or -p-).")
  String portsArgument;

  @Option(
      names = {"-p", "--ports"},
      paramLabel = "PORTS",
      description = "Ports, as PORTS (-p- for all).")
  String portsOption;

  @Option(
      names = {"-sU", "--udp"},
      description = "Scan UDP ports instead of TCP.")
  boolean udp;

  @Option(names = "-sT", description = "Scan TCP ports with full connects (the default).")
  boolean tcp;

  @Option(
      names = {"-sS", "--syn"},
      description = "Scan TCP ports half-open with SYNs from a raw socket (needs CAP_NET_RAW).")
  boolean syn;

  @Option(
      names = {"--retries", "--max-retries"},
      paramLabel = "N",
      description =
          "Probe a port that did not answer N more times before calling it filtered (TCP connect,"
              + " default: 1; SYN, at most, default: 6, as nmap -T4) or open|filtered (UDP,"
              + " default: 2).")
  Integer retries;

  @Option(
      names = "--top-ports",
      paramLabel = "N",
      description = "The N ports nmap finds open most often (default: 1000).")
  Integer topPorts;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description =
          "Connects in flight at once (default: 1000, or less under a low ulimit -n); with -sS, the"
              + " most SYNs awaiting answers (default: 1000).")
  Integer concurrency;

  @Option(
      names = {"--rate", "--max-rate"},
      paramLabel = "N",
      description = "New connects (or SYNs) per second at most (default: no limit).")
  Double rate;

  @Option(
      names = "--min-rate",
      paramLabel = "N",
      description = "With -sS: SYNs per second at least, past the window if need be, as nmap's.")
  Double minRate;

  @Option(
      names = "--initial-rtt-timeout",
      paramLabel = "TIME",
      description = "With -sS: a SYN's timeout until a round trip is measured (default: 500ms).")
  String initialRtt;

  @Option(
      names = "--min-rtt-timeout",
      paramLabel = "TIME",
      description = "With -sS: the learnt timeout's floor (default: 100ms).")
  String minRtt;

  @Option(
      names = "--max-rtt-timeout",
      paramLabel = "TIME",
      description =
          "With -sS: the learnt timeout's ceiling (default: 1250ms). TIME as nmap's: 250ms, 1.5s,"
              + " 2m, or seconds.")
  String maxRtt;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "How long a port may take to answer before it counts as filtered (default: 1); with -sS,"
              + " a fixed timeout for every SYN instead of the learnt one.")
  Double timeoutSeconds;

  @Option(
      names = "--banner",
      description = "Read what each open port says first (up to a line, for --banner-wait).")
  boolean banner;

  @Option(
      names = "--banner-wait",
      paramLabel = "SECONDS",
      description = "How long --banner waits for a service to speak (default: 2).")
  double bannerSeconds = 2;

  @Option(names = "--json", description = "One JSON object on stdout instead of the table.")
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      description = "List every port, closed and filtered too, and where the port list came from.")
  boolean verbose;

  /**
   * What the command line asked for, checked: TCP {@code settings}, UDP {@code udpSettings} when
   * {@code -sU}, or SYN {@code synSettings} when {@code -sS} (the others empty).
   */
  record Options(
      String host,
      PortList ports,
      String portsOrigin,
      java.util.Optional<TcpScanner.Settings> settings,
      java.util.Optional<UdpScanner.Settings> udpSettings,
      java.util.Optional<SynScanner.Settings> synSettings,
      boolean json,
      boolean verbose) {

    String protocol() {
      return udpSettings.isPresent() ? "udp" : "tcp";
    }
  }

  /** Parses and checks the arguments; starts nothing. */
  Options options() {
    if (portsArgument != null && portsOption != null) {
      throw new IllegalArgumentException("give the ports once: as PORTS or with -p");
    }
    String text = portsArgument != null ? portsArgument : portsOption;
    if ((udp ? 1 : 0) + (tcp ? 1 : 0) + (syn ? 1 : 0) > 1) {
      throw new IllegalArgumentException("-sU, -sT and -sS exclude each other: scan one at a time");
    }
    if (udp && banner) {
      throw new IllegalArgumentException("--banner is for TCP scans: a UDP reply is not kept");
    }
    if (syn && banner) {
      throw new IllegalArgumentException(
          "--banner needs a completed connection: use the connect scan (-sT)");
    }
    if (text != null && topPorts != null) {
      throw new IllegalArgumentException("--top-ports and a port list exclude each other");
    }
    PortList ports;
    String origin;
    if (text != null) {
      ports = PortList.parse(text);
      origin = "the command line";
    } else {
      int count = topPorts == null ? 1000 : topPorts;
      if (count < 1 || count > 8000) {
        throw new IllegalArgumentException("--top-ports must be 1 to 8000, got " + count);
      }
      var top = TopPorts.top(count, udp ? "udp" : "tcp");
      ports = top.ports();
      origin = top.origin();
    }
    int parallel = concurrency == null ? defaultConcurrency() : concurrency;
    if (parallel < 1 || parallel > 100_000) {
      throw new IllegalArgumentException("--concurrency must be 1 to 100000, got " + parallel);
    }
    if (rate != null && !(rate > 0 && rate <= 10_000_000)) {
      throw new IllegalArgumentException("--rate must be above 0 (per second), got " + rate);
    }
    if (!syn && (minRate != null || initialRtt != null || minRtt != null || maxRtt != null)) {
      throw new IllegalArgumentException(
          "--min-rate and the --*-rtt-timeout options are for the SYN scan (-sS)");
    }
    if (syn) {
      int tries = retries == null ? 6 : retries;
      if (tries < 0 || tries > 50) {
        throw new IllegalArgumentException("--retries must be 0 to 50, got " + tries);
      }
      if (minRate != null && !(minRate > 0 && minRate <= 10_000_000)) {
        throw new IllegalArgumentException(
            "--min-rate must be above 0 (per second), got " + minRate);
      }
      // No descriptor per probe: the window is not bounded by ulimit -n.
      int window = concurrency == null ? 1000 : parallel;
      var settings =
          new SynScanner.Settings(
              window, minRate == null ? 0 : minRate, rate == null ? 0 : rate, synTiming(), tries);
      return new Options(
          host,
          ports,
          origin,
          java.util.Optional.empty(),
          java.util.Optional.empty(),
          java.util.Optional.of(settings),
          json,
          verbose);
    }
    if (udp) {
      int tries = retries == null ? 2 : retries;
      if (tries < 0 || tries > 50) {
        throw new IllegalArgumentException("--retries must be 0 to 50, got " + tries);
      }
      var settings =
          new UdpScanner.Settings(
              parallel,
              rate == null ? 0 : rate,
              seconds("--timeout", timeoutSeconds == null ? 1 : timeoutSeconds),
              tries);
      return new Options(
          host,
          ports,
          origin,
          java.util.Optional.empty(),
          java.util.Optional.of(settings),
          java.util.Optional.empty(),
          json,
          verbose);
    }
    var settings =
        new TcpScanner.Settings(
            parallel,
            rate == null ? 0 : rate,
            seconds("--timeout", timeoutSeconds == null ? 1 : timeoutSeconds),
            banner ? seconds("--banner-wait", bannerSeconds) : Duration.ZERO,
            tcpRetries());
    return new Options(
        host,
        ports,
        origin,
        java.util.Optional.of(settings),
        java.util.Optional.empty(),
        java.util.Optional.empty(),
        json,
        verbose);
  }

  /** nmap -T4's round-trip timeouts, with what the command line changed; or a fixed --timeout. */
  private RttEstimator.Limits synTiming() {
    if (timeoutSeconds != null) {
      if (initialRtt != null || minRtt != null || maxRtt != null) {
        throw new IllegalArgumentException(
            "--timeout fixes the SYN's timeout: give it or the --*-rtt-timeout options, not both");
      }
      return RttEstimator.Limits.fixed(seconds("--timeout", timeoutSeconds));
    }
    var t4 = RttEstimator.Limits.NMAP_T4;
    Duration min = minRtt == null ? t4.min() : NmapTime.parse("--min-rtt-timeout", minRtt);
    Duration max = maxRtt == null ? t4.max() : NmapTime.parse("--max-rtt-timeout", maxRtt);
    Duration initial =
        initialRtt == null ? t4.initial() : NmapTime.parse("--initial-rtt-timeout", initialRtt);
    if (min.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "--min-rtt-timeout ("
              + min.toMillis()
              + " ms) is above --max-rtt-timeout ("
              + max.toMillis()
              + " ms)");
    }
    return new RttEstimator.Limits(initial, min, max);
  }

  private int tcpRetries() {
    int tries = retries == null ? TcpScanner.Settings.DEFAULT_RETRIES : retries;
    if (tries < 0 || tries > 50) {
      throw new IllegalArgumentException("--retries must be 0 to 50, got " + tries);
    }
    return tries;
  }

  private static Duration seconds(String option, double value) {
    if (!(value > 0) || value > 3600) {
      throw new IllegalArgumentException(option + " must be above 0 and at most 3600 seconds");
    }
    return Duration.ofNanos(Math.round(value * 1e9));
  }

  /** 1000, or half the descriptors this process may open, keeping the rest for everything else. */
  static int defaultConcurrency() {
    OptionalLong limit = ProcessLimits.openFiles();
    return limit.isPresent()
        ? (int) Math.max(1, Math.min(1000, (limit.getAsLong() - 64) / 2))
        : 256;
  }

  @Override
  public Integer call() throws Exception {
    Options options = options();
    if (options.settings().isPresent()) {
      TcpScanner.prepare(options.ports());
    }
    InetAddress address = resolve(options.host());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean terminal = System.console() != null && System.console().isTerminal();
    // The loops read banners and carry UDP probes; a plain TCP scan needs none but the group's
    // one, and a SYN scan, which sends and reads on this thread, none at all (a loop it never
    // uses would cost CPU at every scan's start).
    boolean loopsWork =
        options.udpSettings().isPresent()
            || options.settings().map(s -> !s.bannerWait().isZero()).orElse(false);
    int loops =
        loopsWork ? Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())) : 1;
    EventLoopGroup group =
        options.synSettings().isPresent() ? null : new EventLoopGroup(loops, "wharf-scan", true);
    ProgressLine progress = terminal && !options.json() ? new ProgressLine(err) : null;
    try {
      long start = System.nanoTime();
      TcpScanner.Progress shown = progress == null ? TcpScanner.Progress.NONE : progress;
      List<PortResult> results =
          options.synSettings().isPresent()
              ? synScan(address, options, shown, err)
              : options.udpSettings().isPresent()
                  ? new UdpScanner(group, options.udpSettings().get())
                      .scan(
                          address,
                          options.ports(),
                          shown,
                          note -> {
                            if (options.verbose()) {
                              err.println("wharf scan: " + note);
                              err.flush();
                            }
                          })
                  : new TcpScanner(group, options.settings().orElseThrow())
                      .scan(address, options.ports(), shown);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (progress != null) {
        progress.close();
      }
      // Names only for the ports the report lists, usually a few open ones: reading nmap's file
      // no further than they need takes a few ms where the whole file took 80-110.
      int[] listed =
          ScanReport.listed(results, options.verbose()).stream()
              .mapToInt(PortResult::port)
              .toArray();
      var report =
          new ScanReport(
              options.protocol(),
              options.host(),
              address,
              results,
              Services.system(options.protocol(), listed),
              took);
      if (options.json()) {
        out.println(report.json(options.verbose()));
      } else {
        if (options.verbose()) {
          err.println(
              "wharf scan: " + options.ports().size() + " ports from " + options.portsOrigin());
        }
        report.printTable(out, options.verbose());
      }
      out.flush();
      return 0;
    } finally {
      if (progress != null) {
        progress.close();
      }
      if (group != null) {
        group.shutdownGracefully(Duration.ofSeconds(1)).join();
      }
    }
  }

  /**
   * The SYN scan: the raw socket and the capture are opened before the clock's first probe, and a
   * capture that dropped answers (its buffer full) is said on stderr, as tcpdump says it.
   */
  private static List<PortResult> synScan(
      InetAddress address, Options options, TcpScanner.Progress shown, PrintWriter err)
      throws java.io.IOException {
    try (var prober = SynProber.open(address)) {
      if (options.verbose()) {
        err.println(
            "wharf scan: SYNs from "
                + AddressText.of(prober.source().getAddress())
                + " port "
                + prober.source().getPort()
                + ", answers read on "
                + prober.interfaceName());
        err.flush();
      }
      var scanner = new SynScanner(options.synSettings().orElseThrow());
      List<PortResult> results = scanner.scan(SynScanner.Wire.of(prober), options.ports(), shown);
      if (options.verbose()) {
        scanner.summary().ifPresent(summary -> err.println("wharf scan: " + describe(summary)));
      }
      long dropped = prober.statistics().dropped();
      if (dropped > 0) {
        err.println(
            "wharf scan: the capture dropped "
                + dropped
                + " answers (its buffer was full): their ports were tried again");
        err.flush();
      }
      return results;
    }
  }

  /** The SYN scan's timing, as {@code -v} tells it. */
  static String describe(SynScanner.Summary summary) {
    String rtt =
        summary.srttNanos() < 0
            ? "no round trip measured"
            : String.format(java.util.Locale.ROOT, "round trip %.3f ms", summary.srttNanos() / 1e6);
    return String.format(
        java.util.Locale.ROOT,
        "%d SYNs (%d retries); %s, timeout %d ms; window %d (largest %d); retries allowed a"
            + " silent port: %d",
        summary.probes(),
        summary.retries(),
        rtt,
        summary.timeoutNanos() / 1_000_000,
        summary.window(),
        summary.largestWindow(),
        summary.retriesAllowed());
  }

  private static InetAddress resolve(String host) throws UnknownHostException {
    try {
      return InetAddress.getAllByName(host)[0];
    } catch (UnknownHostException e) {
      throw new UnknownHostException("cannot resolve " + host);
    }
  }
}
