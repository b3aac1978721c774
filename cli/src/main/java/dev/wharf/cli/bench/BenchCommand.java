package dev.wharf.cli.bench;

import dev.wharf.cli.ByteSize;
import dev.wharf.core.ProcessLimits;
import dev.wharf.load.LoadPlan;
import dev.wharf.load.LoadReport;
import dev.wharf.load.LoadTest;
import dev.wharf.load.Target;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf bench URL}: load against one server, with honest latency. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Loads URL with -c connections for -d seconds or -n requests and reports latency"
          + " percentiles (HdrHistogram), throughput, bytes and errors by kind.",
      "http:// and https:// send HTTP/1.1 requests on kept-alive connections (--pipeline N in"
          + " flight on each); ws:// and wss:// echo messages of --size bytes; tcp://HOST:PORT"
          + " echoes raw bytes.",
      "--http2 speaks HTTP/2 instead (http://: cleartext with prior knowledge; https://: ALPN h2),"
          + " --streams N in flight on each connection, each replaced as soon as it ends (as"
          + " h2load -m N).",
      "Closed loop by default (as wrk: each connection sends again when answered). With --rate R,"
          + " R requests a second on a fixed schedule, each timed from when it should have been"
          + " sent (as wrk2: no coordinated omission).",
      "Examples:",
      "  wharf bench -c 64 -d 10 http://127.0.0.1:8000/",
      "  wharf bench --rate 5000 -c 32 -d 30 --html report.html http://127.0.0.1:8000/",
      "  wharf bench --http2 --streams 16 -c 8 -d 10 http://127.0.0.1:8000/",
      "  wharf bench -n 10000 --size 1K ws://127.0.0.1:8000/ws/echo"
    })
public final class BenchCommand implements Callable<Integer> {
  private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URL", description = "http, https, ws, wss or tcp URL.")
  String url;

  @Option(
      names = {"-c", "--connections"},
      paramLabel = "N",
      description = "Connections kept open (default: 10).")
  int connections = 10;

  @Option(
      names = {"-t", "--threads"},
      paramLabel = "N",
      description =
          "Threads, each with its share of the connections (default: the CPUs, at most -c).")
  Integer threads;

  @Option(
      names = {"-d", "--duration"},
      paramLabel = "TIME",
      description = "How long to measure: 30, 30s, 500ms, 2m (default: 10s, unless -n).")
  String duration;

  @Option(
      names = {"-n", "--requests"},
      paramLabel = "N",
      description = "Measure exactly N requests instead of a duration.")
  Long requests;

  @Option(
      names = "--warmup",
      paramLabel = "TIME",
      description = "Load first for this long without measuring (default: 0).")
  String warmup;

  @Option(
      names = {"-R", "--rate"},
      paramLabel = "R",
      description = "Requests per second in all, on a fixed schedule (default: closed loop).")
  Double rate;

  @Option(
      names = "--pipeline",
      paramLabel = "N",
      description = "Requests in flight on each connection (default: 1).")
  int pipeline = 1;

  @Option(
      names = "--http2",
      description =
          "HTTP/2: cleartext with prior knowledge for http://, ALPN h2 for https://"
              + " (default: HTTP/1.1).")
  boolean http2;

  @Option(
      names = "--streams",
      paramLabel = "N",
      description = "With --http2: streams in flight on each connection (default: 1).")
  Integer streams;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "'NAME: VALUE'",
      description = "An extra request header (repeatable); also sent with a WebSocket upgrade.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = {"-m", "--method"},
      paramLabel = "METHOD",
      description = "The HTTP method (default: GET, or POST with --body).")
  String method;

  @Option(
      names = "--body",
      paramLabel = "DATA",
      description = "The request body; @FILE reads it from a file.")
  String body;

  @Option(
      names = {"-s", "--size"},
      paramLabel = "BYTES",
      converter = ByteSize.class,
      description = "WebSocket and TCP message size: 64, 1K, 1M (default: 64).")
  long size = 64;

  @Option(
      names = "--timeout",
      paramLabel = "TIME",
      description =
          "Longest wait for a connect or an answer before it counts as an error (default: 10s).")
  String timeout;

  @Option(
      names = {"-k", "--insecure"},
      description = "Accept any TLS certificate (a test server's self-signed one).")
  boolean insecure;

  @Option(
      names = "--hold",
      description =
          "ws:// and wss://: hold the connections open instead of echoing (C10K): each pings every"
              + " --ping-every and its pongs are the requests timed; text messages from the server"
              + " are counted, and those carrying \"sentMicros\":N (microseconds since the epoch)"
              + " are timed from N, as a broadcast's delivery.")
  boolean hold;

  @Option(
      names = "--ping-every",
      paramLabel = "TIME",
      description = "With --hold: how often each connection pings (default: 30s).")
  String pingEvery;

  @Option(
      names = "--send",
      paramLabel = "TEXT",
      description =
          "With --hold: a text message each connection sends once after the upgrade, such as"
              + " a channels subscribe.")
  String send;

  @Option(names = "--json", description = "The report as one JSON object on stdout.")
  boolean json;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Also write a self-contained HTML report with its charts to FILE.")
  Path html;

  /** Reads and checks the options into a plan; starts nothing. */
  LoadPlan plan() throws IOException {
    Target target = Target.parse(url);
    if (requests != null && duration != null) {
      throw new IllegalArgumentException("give -d or -n, not both");
    }
    if (requests != null && requests < 1) {
      throw new IllegalArgumentException("-n must be at least 1, got " + requests);
    }
    if (connections < 1 || connections > LoadPlan.MAX_CONNECTIONS) {
      throw new IllegalArgumentException("-c must be 1 to " + LoadPlan.MAX_CONNECTIONS);
    }
    int cpus = Runtime.getRuntime().availableProcessors();
    int t = threads == null ? Math.min(cpus, connections) : threads;
    if (t < 1 || t > 1024) {
      throw new IllegalArgumentException("-t must be 1 to 1024, got " + t);
    }
    OptionalLong openFiles = ProcessLimits.openFiles();
    int most = mostConnections(openFiles, t);
    if (connections > most) {
      throw new IllegalArgumentException(
          "-c "
              + connections
              + " needs a descriptor for each connection, and this process may open "
              + openFiles.getAsLong()
              + " (ulimit -n): at most "
              + most
              + " here; for more, run several wharf bench at once");
    }
    if (rate != null && !(rate > 0)) {
      throw new IllegalArgumentException("--rate must be above 0 requests per second");
    }
    if (pipeline < 1 || pipeline > 1024) {
      throw new IllegalArgumentException("--pipeline must be 1 to 1024, got " + pipeline);
    }
    if (http2 && !target.scheme().isHttp()) {
      throw new IllegalArgumentException("--http2 is for http:// and https:// URLs");
    }
    if (http2 && pipeline != 1) {
      throw new IllegalArgumentException(
          "--pipeline is HTTP/1.1's; HTTP/2 keeps --streams N in flight instead");
    }
    if (streams != null && !http2) {
      throw new IllegalArgumentException("--streams goes with --http2");
    }
    if (streams != null && (streams < 1 || streams > 1024)) {
      throw new IllegalArgumentException("--streams must be 1 to 1024, got " + streams);
    }
    int depth = streams != null ? streams : pipeline;
    if (size < 1 || size > 16 << 20) {
      throw new IllegalArgumentException("--size must be 1 byte to 16M");
    }
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon < 1 || header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("-H takes 'Name: value', got '" + header + "'");
      }
    }
    if (!target.scheme().isHttp() && (body != null || method != null)) {
      throw new IllegalArgumentException(
          "-m and --body are for http:// and https://; "
              + target.scheme().text()
              + " sends --size");
    }
    if (target.scheme() == Target.Scheme.TCP && !headers.isEmpty()) {
      throw new IllegalArgumentException("-H is for http, https, ws and wss; tcp has no headers");
    }
    if (html != null) {
      checkWritable(html);
    }
    String m = method != null ? method : body != null ? "POST" : "GET";
    if (!m.matches("[A-Za-z]+")) {
      throw new IllegalArgumentException("-m takes a method name, got '" + m + "'");
    }
    return new LoadPlan(
        target,
        connections,
        t,
        requests != null ? null : time("-d", duration == null ? "10s" : duration, false),
        requests == null ? 0 : requests,
        warmup == null ? Duration.ZERO : time("--warmup", warmup, true),
        rate == null ? 0 : rate,
        depth,
        m,
        headers,
        body(),
        (int) size,
        timeout == null ? Duration.ofSeconds(10) : time("--timeout", timeout, false),
        insecure,
        hold(),
        http2);
  }

  private LoadPlan.Hold hold() {
    if (!hold) {
      if (pingEvery != null || send != null) {
        throw new IllegalArgumentException("--ping-every and --send go with --hold");
      }
      return LoadPlan.Hold.OFF;
    }
    if (!Target.parse(url).scheme().isWebSocket()) {
      throw new IllegalArgumentException("--hold is for ws:// and wss:// URLs");
    }
    if (rate != null || pipeline != 1) {
      throw new IllegalArgumentException(
          "--hold sends one ping at a time: no --rate or --pipeline");
    }
    return LoadPlan.Hold.pinging(
        time("--ping-every", pingEvery == null ? "30s" : pingEvery, false),
        send == null ? "" : send);
  }

  /** {@code 30}, {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}: at most a day. */
  static Duration time(String option, String text, boolean zeroAllowed) {
    Matcher m = TIME.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option + " takes a time such as 30, 30s, 500ms or 2m, got '" + text + "'");
    }
    double n = Double.parseDouble(m.group(1));
    double seconds =
        switch (m.group(2) == null ? "s" : m.group(2)) {
          case "ms" -> n / 1000;
          case "m" -> n * 60;
          case "h" -> n * 3600;
          default -> n;
        };
    if (seconds > 86_400 || (!zeroAllowed && seconds <= 0)) {
      throw new IllegalArgumentException(
          option + " must be above 0 and at most a day, got " + text);
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  /**
   * The report's file can be written: found out before a run of minutes, not after it (the report
   * on stdout is not lost either way).
   */
  static void checkWritable(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("--html: " + file + " is a directory");
    }
    if (parent != null && !Files.isDirectory(parent)) {
      throw new IllegalArgumentException("--html: no such directory: " + parent);
    }
    if (parent != null && !Files.isWritable(parent) && !Files.isWritable(file)) {
      throw new IllegalArgumentException("--html: cannot write in " + parent);
    }
  }

  private byte[] body() throws IOException {
    if (body == null) {
      return new byte[0];
    }
    if (body.startsWith("@")) {
      try {
        return Files.readAllBytes(Path.of(body.substring(1)));
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("--body: no such file: " + body.substring(1));
      }
    }
    return body.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The most connections the descriptor limit leaves room for: the limit less the JVM's own files
   * (its runtime image, jars a late class may need, standard streams, the report) and each thread's
   * epoll and wake-up descriptors. Opening more failed part-way, as each thread found the limit,
   * and the class loading on the way out failed with it; wrk counts such connects as errors.
   */
  static int mostConnections(OptionalLong openFiles, int threads) {
    if (openFiles.isEmpty()) {
      return LoadPlan.MAX_CONNECTIONS;
    }
    long room = openFiles.getAsLong() - JVM_DESCRIPTORS - 2L * threads;
    return (int) Math.max(0, Math.min(LoadPlan.MAX_CONNECTIONS, room));
  }

  /** Descriptors kept for the JVM: about 12 at run time, and the module path's 32 jars. */
  private static final int JVM_DESCRIPTORS = 64;

  @Override
  public Integer call() throws Exception {
    LoadPlan plan = plan();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean terminal = System.console() != null && System.console().isTerminal();
    var test = new LoadTest(plan);
    var written = new CountDownLatch(1);
    // Ctrl-C ends the run early: the report of what was measured is still written.
    var hook = new Thread(() -> stopAndWait(test, written), "wharf-bench-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      var progress = terminal ? new ProgressLine(err, plan) : null;
      LoadReport report;
      try {
        report = test.run(progress == null ? LoadTest.Progress.NONE : progress);
      } finally {
        if (progress != null) {
          progress.close();
        }
      }
      if (json) {
        out.println(BenchJson.of(report));
      } else {
        BenchText.print(report, out);
      }
      out.flush();
      if (html != null) {
        Files.writeString(html, BenchHtml.of(report), StandardCharsets.UTF_8);
      }
      if (plan.hold().isOn() && report.connectionsOpenAtEnd() == 0) {
        err.println("wharf bench: no connection was held" + BenchText.firstError(report));
        err.flush();
        return 1;
      }
      if (report.requests() == 0 && !plan.hold().isOn()) {
        err.println("wharf bench: no request was answered" + BenchText.firstError(report));
        err.flush();
        return 1;
      }
      return 0;
    } finally {
      written.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for the count-down above.
      }
    }
  }

  private static void stopAndWait(LoadTest test, CountDownLatch written) {
    test.stop();
    try {
      // Long enough for the workers to close thousands of held connections on a busy machine.
      written.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
