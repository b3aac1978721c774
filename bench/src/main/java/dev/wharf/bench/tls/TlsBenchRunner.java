package dev.wharf.bench.tls;

import dev.wharf.bench.BenchSettings;
import dev.wharf.bench.Harness;
import dev.wharf.bench.http.ServerArgs;
import dev.wharf.testkit.TestCertificates;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TLS comparison behind {@code bench/run tls}: for each scenario and each server ({@link
 * TlsServerMain}: Wharf, Netty NIO and Netty epoll with the JDK's engine), the server pinned to one
 * core with one event loop and {@link TlsLoadGen} pinned to the other; warmup, windows, medians and
 * ratios to a markdown table. The certificate (ECDSA P-256, self-signed) is made by openssl at the
 * start ({@link TestCertificates#createSelfSigned}) in the run's scratch directory and removed at
 * the end. A {@link Harness.Kind}.
 *
 * <p>Scenarios: {@code handshake} (full TLS 1.3 handshakes, a new connection each, 32 at a time)
 * and {@code bulk-SIZE-wK} (echo of SIZE-byte messages, K in flight per connection, e.g. {@code
 * bulk-16k-w4}).
 *
 * <p>Settings: those of {@link BenchSettings}, and {@code bench.conns} (bulk connections, 16),
 * {@code bench.concurrency} (handshakes at a time, 32), {@code bench.handshakeWarmup} (s, 60), and
 * those of {@link Harness}.
 */
public final class TlsBenchRunner implements Harness.Kind {
  private static final String TITLE = "Wharf vs Netty TLS benchmark";
  private static final String DEFAULT_SCENARIOS = "handshake,bulk-16k-w4";
  private static final Pattern BULK = Pattern.compile("bulk-(\\d+)(k?)-w(\\d+)");

  private final int conns = BenchSettings.intProp("bench.conns", 16);
  private final int concurrency = BenchSettings.intProp("bench.concurrency", 32);

  /**
   * Handshakes need a longer warmup than the echo: at a few hundred a second the JDK's elliptic
   * curve and HKDF code is still being compiled after 15 s (a first run's handshakes per server
   * CPU-second rose from one 20 s window to the next by 40-170%).
   */
  private final double handshakeWarmup =
      Double.parseDouble(BenchSettings.prop("bench.handshakeWarmup", "60"));

  private TestCertificates cert;

  private TlsBenchRunner() {}

  public static void main(String[] args) throws Exception {
    Harness.main(new TlsBenchRunner());
  }

  @Override
  public Harness.Plan plan() {
    return new Harness.Plan(TITLE, ServerArgs.WHARF_AND_NETTY, DEFAULT_SCENARIOS, 7500, LEGEND);
  }

  @Override
  public void check(String scenario) {
    if (!scenario.equals("handshake") && !BULK.matcher(scenario).matches()) {
      throw new IllegalArgumentException(
          "scenario " + scenario + " is not handshake or bulk-SIZE-wK");
    }
  }

  @Override
  public void prepare(Harness h) throws Exception {
    cert = TestCertificates.createSelfSigned(h.work());
    h.report.note(
        String.format(
            Locale.ROOT,
            "# bench tls: warmup %.0f s (handshakes %.0f s), %d x %.0f s, handshakes %d at a"
                + " time, bulk %d connections, impls %s, scenarios %s",
            h.settings.warmup,
            handshakeWarmup,
            h.settings.repeats,
            h.settings.duration,
            concurrency,
            conns,
            h.impls,
            h.scenarios));
    h.report.note(
        "  certificate: "
            + cert.selfSignedCert()
            + ", self-signed, EC P-256, for localhost and 127.0.0.1 (TestCertificates.createSelfSigned:"
            + " openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256)");
  }

  @Override
  public List<String> metrics(String scenario) {
    return scenario.equals("handshake")
        ? Harness.loadColumnsAndErrors("handshakesPerSec", "perServerCpuSec", "p50us", "p99us")
        : Harness.loadColumnsAndErrors(
            "mbPerSec", "msgsPerSec", "perServerCpuSec", "p50us", "p99us");
  }

  private static final String LEGEND =
      """
      handshakesPerSec: full handshakes per second, each on a new connection (connect, \
      handshake, 1 byte echoed, close with RST); p50us/p99us: connect to echo, in microseconds. \
      mbPerSec: echoed payload received by the generator, 10^6 bytes per second; msgsPerSec: \
      messages of that payload. perServerCpuSec: handshakes (or messages) per CPU-second (user + \
      system) of the server process, the steadier figure when other work shares the machine; \
      serverCpu, genCpu, otherCpu: % of one core used by the server, the generator and \
      everything else in the window (genCpu near 100: the rate is the generator's limit, compare \
      perServerCpuSec). allocPer: heap bytes the server JVM allocated per handshake (or \
      message), all threads. errors: failed connections or wrong echoes. Negotiated protocol and \
      suite: in each RESULT line of the log (`negotiated=`)."""
          + Harness.CPU_SPLIT_LEGEND;

  @Override
  public String setup(Harness h) {
    BenchSettings settings = h.settings;
    return String.format(
        Locale.ROOT,
        "Server on core %s (one event loop), generator (TlsLoadGen: one thread, the JDK's"
            + " SSLEngine) on core %s, private network namespace, loopback. Warmup %.0f s"
            + " (handshake: %.0f s), then %d"
            + " window(s) of %.0f s; medians of the windows. Both servers run the JDK's SSLEngine"
            + " (Netty: SslProvider.JDK) with a self-signed ECDSA P-256 certificate; the client"
            + " offers TLS 1.3 with TLS_AES_128_GCM_SHA256 only and no session to resume."
            + " handshake: %d at a time. bulk-SIZE-wK: %d connections, K messages of SIZE in"
            + " flight on each.\n\n%s",
        settings.serverCpu,
        settings.genCpu,
        settings.warmup,
        handshakeWarmup,
        settings.repeats,
        settings.duration,
        concurrency,
        conns,
        settings.jvmLine());
  }

  @Override
  public void measure(Harness h, String scenario, String impl, int port) throws Exception {
    var serverArgs = new ArrayList<>(Harness.serverFlags(impl, port));
    serverArgs.addAll(
        List.of(
            "--cert", cert.selfSignedCert().toString(), "--key", cert.selfSignedKey().toString()));
    List<String> serverCmd = h.settings.serverCommand(TlsServerMain.class.getName(), serverArgs);
    var args = new ArrayList<String>();
    if (scenario.equals("handshake")) {
      args.addAll(List.of("handshake", "--concurrency", Integer.toString(concurrency)));
    } else {
      Matcher m = BULK.matcher(scenario);
      if (!m.matches()) {
        throw new IllegalArgumentException(scenario);
      }
      int size = Integer.parseInt(m.group(1)) * (m.group(2).isEmpty() ? 1 : 1024);
      args.addAll(
          List.of(
              "bulk",
              "--conns",
              Integer.toString(conns),
              "--size",
              Integer.toString(size),
              "--window",
              m.group(3)));
    }
    args.addAll(
        List.of("--port", Integer.toString(port), "--cert", cert.selfSignedCert().toString()));
    args.addAll(h.windowArgs(scenario.equals("handshake") ? handshakeWarmup : h.settings.warmup));
    h.driveGenerator(
        scenario,
        impl,
        serverCmd,
        TlsLoadGen.class.getName(),
        args,
        scenario.equals("handshake") ? "handshakes" : "msgs");
  }
}
