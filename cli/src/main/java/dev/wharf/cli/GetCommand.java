package dev.wharf.cli;

import dev.wharf.core.TimeoutException;
import dev.wharf.http.ExchangeTimings;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpClient;
import dev.wharf.http.HttpRequest;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.ResponseListener;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wharf get}: fetches a URL as curl does, with the same option letters and exit codes (6
 * unresolvable host, 7 cannot connect, 22 HTTP error with -f, 28 timeout, 35 TLS handshake, 47
 * redirects, 58 client certificate, 60 server certificate, 77 CA file, 90 pinned key).
 */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Fetches a URL over HTTP/1.1 or HTTPS, as curl does; the body goes to stdout or -o FILE.",
      "HTTPS checks the server's certificate against the system's CAs and the host name, unless"
          + " --cacert, --pin, --servername or --insecure say otherwise.",
      "Exit codes as curl's: 6 unknown host, 7 cannot connect, 22 HTTP error with -f, 28"
          + " timeout, 35 TLS handshake failed, 47 too many redirects, 58 bad --cert, 60 server"
          + " certificate rejected, 77 bad --cacert, 90 pinned key mismatch."
    })
final class GetCommand implements Callable<Integer> {
  static final int UNRESOLVED = 6;
  static final int CANNOT_CONNECT = 7;
  static final int HTTP_ERROR = 22;
  static final int WRITE_ERROR = 23;
  static final int TIMED_OUT = 28;
  static final int TLS_HANDSHAKE_FAILED = 35;
  static final int TOO_MANY_REDIRECTS = 47;
  static final int CLIENT_CERTIFICATE_PROBLEM = 58;
  static final int CERTIFICATE_REJECTED = 60;
  static final int CA_FILE_PROBLEM = 77;
  static final int PINNED_KEY_MISMATCH = 90;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      paramLabel = "URL",
      description = "An http:// or https:// URL (http:// is assumed if missing).")
  String url;

  @Mixin ClientTlsOptions tls = new ClientTlsOptions();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the body to FILE.")
  Path output;

  @Option(
      names = {"-O", "--remote-name"},
      description = "Write the body to a file named as the URL's last segment.")
  boolean remoteName;

  @Option(
      names = {"-I", "--head"},
      description = "Send HEAD and show the response head only.")
  boolean head;

  @Option(
      names = {"-i", "--include"},
      description = "Show the response head before the body.")
  boolean include;

  @Option(
      names = {"-X", "--request"},
      paramLabel = "METHOD",
      description = "The method (default GET, or POST with data).")
  String method;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "NAME: VALUE",
      description = "An extra header; repeatable.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = {"-d", "--data"},
      paramLabel = "DATA",
      description = "Send DATA as the body (POST); @FILE reads a file.")
  String data;

  @Option(
      names = "--json",
      paramLabel = "DATA",
      description = "Send DATA as JSON (POST, Content-Type and Accept JSON).")
  String json;

  @Option(
      names = {"-L", "--location"},
      description = "Follow redirects.")
  boolean follow;

  @Option(
      names = "--max-redirs",
      paramLabel = "N",
      description = "Redirects to follow with -L (default ${DEFAULT-VALUE}).")
  int maxRedirects = 50;

  @Option(
      names = {"-m", "--max-time"},
      paramLabel = "SECONDS",
      description = "Give up after this long.")
  double maxTime;

  @Option(
      names = "--connect-timeout",
      paramLabel = "SECONDS",
      description = "Connect timeout (default 10).")
  double connectTimeout = 10;

  @Option(
      names = {"-f", "--fail"},
      description = "Fail with exit code 22 on an HTTP error (400 and up), printing no body.")
  boolean fail;

  @Option(
      names = {"-s", "--silent"},
      description = "No progress bar and no error messages.")
  boolean silent;

  @Option(
      names = {"-v", "--verbose"},
      description = "Tell the socket's story on stderr.")
  boolean verbose;

  @Option(
      names = {"-w", "--write-out"},
      paramLabel = "FORMAT",
      description = "After the transfer, print its figures; FORMAT is json.")
  String writeOut;

  /** The request the arguments describe; starts nothing. */
  HttpRequest request() throws IOException {
    URI uri = parseUrl(url);
    var fields = Headers.builder();
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("a header is NAME: VALUE, got: " + header);
      }
      fields.add(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
    }
    byte[] body = new byte[0];
    String verb = head ? "HEAD" : "GET";
    if (data != null && json != null) {
      throw new IllegalArgumentException("give --data or --json, not both");
    }
    if (data != null) {
      body = contentOf(data);
      verb = "POST";
      if (!fields.contains("Content-Type")) {
        fields.add("Content-Type", "application/x-www-form-urlencoded");
      }
    }
    if (json != null) {
      body = contentOf(json);
      verb = "POST";
      fields.set("Content-Type", "application/json");
      fields.set("Accept", "application/json");
    }
    if (method != null) {
      verb = method;
    }
    if (writeOut != null && !writeOut.equals("json")) {
      throw new IllegalArgumentException("--write-out takes json");
    }
    return new HttpRequest(verb, uri, fields.build(), body);
  }

  /** curl's convention: {@code @FILE} means the file's bytes, anything else the text itself. */
  private static byte[] contentOf(String argument) throws IOException {
    return argument.startsWith("@")
        ? Files.readAllBytes(Path.of(argument.substring(1)))
        : argument.getBytes(StandardCharsets.UTF_8);
  }

  static URI parseUrl(String text) {
    return Urls.parse(text, "http");
  }

  @Override
  public Integer call() throws Exception {
    HttpRequest request = request();
    PrintWriter err = spec.commandLine().getErr();
    Path target = output;
    if (remoteName) {
      String path = request.uri().getPath();
      String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("-O needs a URL that ends in a file name");
      }
      target = Path.of(name);
    }
    var builder =
        HttpClient.builder()
            .connectTimeout(Duration.ofMillis((long) (connectTimeout * 1000)))
            .responseTimeout(
                maxTime > 0 ? Duration.ofMillis((long) (maxTime * 1000)) : Duration.ZERO)
            .followRedirects(follow ? maxRedirects : 0);
    if (tls.anyGiven() || request.uri().getScheme().equalsIgnoreCase("https")) {
      try {
        builder.tls(
            tls.config(
                List.of("http/1.1"),
                warning -> {
                  if (!silent) {
                    err.println("wharf get: " + warning);
                    err.flush();
                  }
                }));
      } catch (TlsOptionException e) {
        if (!silent) {
          err.println("wharf get: " + e.getMessage());
          err.flush();
        }
        return e.option.equals("--cacert") ? CA_FILE_PROBLEM : CLIENT_CERTIFICATE_PROBLEM;
      }
    }
    var client = builder.build();
    OutputStream sink =
        target == null
            ? new BufferedOutputStream(System.out, 64 * 1024)
            : new BufferedOutputStream(Files.newOutputStream(target), 64 * 1024);
    var transfer =
        new Transfer(
            request, sink, target, err, target != null && !silent && System.console() != null);
    try {
      client.exchange(request, transfer);
      ExchangeTimings timings =
          maxTime > 0
              ? transfer.done.get((long) (maxTime * 1000) + 1000, TimeUnit.MILLISECONDS)
              : transfer.done.get();
      sink.flush();
      if (writeOut != null) {
        System.out.println(transfer.json(timings));
        System.out.flush();
      }
      return fail && transfer.status >= 400 ? HTTP_ERROR : 0;
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? Failures.unwrap(e.getCause()) : e;
      int code = exitCode(cause);
      if (!silent) {
        err.println("wharf get: " + Failures.describe(cause) + transfer.progressNote(code));
        err.flush();
      }
      return code;
    } finally {
      if (target != null) {
        sink.close();
      }
      client.close();
    }
  }

  static int exitCode(Throwable cause) {
    if (cause instanceof UnknownHostException) {
      return UNRESOLVED;
    }
    switch (TlsFailures.kind(cause)) {
      case PIN -> {
        return PINNED_KEY_MISMATCH;
      }
      case CERTIFICATE -> {
        return CERTIFICATE_REJECTED;
      }
      case HANDSHAKE -> {
        return TLS_HANDSHAKE_FAILED;
      }
      case NONE -> {}
    }
    if (cause instanceof TimeoutException
        || cause instanceof java.util.concurrent.TimeoutException) {
      return TIMED_OUT;
    }
    if (cause instanceof ConnectException || cause instanceof java.net.NoRouteToHostException) {
      return CANNOT_CONNECT;
    }
    if (cause instanceof HttpFailure failure) {
      return failure.exitCode;
    }
    if (cause instanceof UncheckedIOException) {
      return WRITE_ERROR;
    }
    return Failures.IO_FAILURE;
  }

  /** A failure decided here (an HTTP error under -f), with curl's exit code. */
  static final class HttpFailure extends IOException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    HttpFailure(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  /** Streams one response to its sink and tells the story; runs on the client's loop. */
  private final class Transfer implements ResponseListener {
    final CompletableFuture<ExchangeTimings> done = new CompletableFuture<>();
    private final HttpRequest request;
    private final OutputStream sink;
    private final Path target;
    private final PrintWriter err;
    private final Progress progress;
    private final long started = System.nanoTime();
    private URI current;
    private volatile int status;
    private int redirects;
    // Written on the loop; read by the main thread, after a timeout without the future's ordering.
    private volatile long received;
    private volatile long announced = -1;
    private boolean suppressBody;

    Transfer(
        HttpRequest request,
        OutputStream sink,
        Path target,
        PrintWriter err,
        boolean showProgress) {
      this.request = request;
      this.current = request.uri();
      this.sink = sink;
      this.target = target;
      this.err = err;
      this.progress = showProgress ? new Progress(err) : null;
    }

    @Override
    public void redirected(URI from, URI to, int code) {
      redirects++;
      current = to;
      if (verbose) {
        err.println("* " + code + " redirect from " + from + " to " + to);
        err.flush();
      }
    }

    @Override
    public void head(ResponseHead responseHead) {
      status = responseHead.status();
      if (verbose) {
        err.println("> " + request.method() + " " + current.getRawPath() + " HTTP/1.1");
        for (Headers.Field field : request.headers().fields()) {
          err.println("> " + field.name() + ": " + field.value());
        }
        err.println("< " + responseHead.version() + " " + status + " " + responseHead.reason());
        for (Headers.Field field : responseHead.headers().fields()) {
          err.println("< " + field.name() + ": " + field.value());
        }
        err.flush();
      }
      if (fail && status >= 400) {
        suppressBody = true;
        return;
      }
      if (head || include) {
        var text = new StringBuilder();
        text.append(responseHead.version())
            .append(' ')
            .append(status)
            .append(' ')
            .append(responseHead.reason())
            .append("\r\n");
        for (Headers.Field field : responseHead.headers().fields()) {
          text.append(field.name()).append(": ").append(field.value()).append("\r\n");
        }
        text.append("\r\n");
        write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1)));
      }
      announced =
          responseHead.headers().first("Content-Length").flatMap(Transfer::length).orElse(-1L);
      if (progress != null) {
        progress.total = announced;
      }
    }

    private static java.util.Optional<Long> length(String value) {
      try {
        return java.util.Optional.of(Long.parseLong(value.strip()));
      } catch (NumberFormatException e) {
        return java.util.Optional.empty();
      }
    }

    /**
     * After a timeout, how far the body got, as curl says it: the partial file is left in place and
     * the figures tell how much of it there is.
     */
    String progressNote(int exitCode) {
      if (exitCode != TIMED_OUT || status == 0) {
        return "";
      }
      return "; "
          + received
          + (announced >= 0 ? " of " + announced : "")
          + " bytes received"
          + (target != null ? ", the partial body is in " + target : "");
    }

    @Override
    public void body(ByteBuffer chunk) {
      received += chunk.remaining();
      if (suppressBody) {
        chunk.position(chunk.limit());
        return;
      }
      write(chunk);
      if (progress != null) {
        progress.update(received, started);
      }
    }

    private void write(ByteBuffer chunk) {
      try {
        if (chunk.hasArray()) {
          sink.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
          chunk.position(chunk.limit());
        } else {
          byte[] bytes = new byte[chunk.remaining()];
          chunk.get(bytes);
          sink.write(bytes);
        }
      } catch (IOException e) {
        done.completeExceptionally(
            new UncheckedIOException("cannot write the body: " + e.getMessage(), e));
      }
    }

    @Override
    public void complete(ExchangeTimings timings) {
      if (progress != null) {
        progress.finish(received, started);
      }
      if (verbose) {
        err.println(
            "* "
                + (timings.reused() ? "reused the connection" : "connected")
                + " to "
                + Story.format(timings.remote())
                + " from "
                + Story.format(timings.local())
                + (timings.reused()
                    ? ""
                    : " (resolve "
                        + ms(timings.resolve())
                        + ", connect "
                        + ms(timings.connect())
                        + ")")
                + "; first byte after "
                + ms(timings.firstByte())
                + ", total "
                + ms(timings.total()));
        if (!timings.reused()) {
          timings.tls().ifPresent(session -> err.println("* " + TlsStory.describe(session, true)));
        }
        err.flush();
      }
      if (fail && status >= 400) {
        done.completeExceptionally(
            new HttpFailure("the server answered " + status + " for " + current, HTTP_ERROR));
        return;
      }
      if (follow && status >= 300 && status < 400 && redirects >= maxRedirects) {
        done.completeExceptionally(
            new HttpFailure("more than " + maxRedirects + " redirects", TOO_MANY_REDIRECTS));
        return;
      }
      done.complete(timings);
    }

    @Override
    public void failed(Throwable error) {
      if (progress != null) {
        progress.finish(received, started);
      }
      done.completeExceptionally(error);
    }

    String json(ExchangeTimings t) {
      return "{\"url\":\""
          + current
          + "\",\"status\":"
          + status
          + ",\"size_download\":"
          + received
          + ",\"num_redirects\":"
          + redirects
          + ",\"reused\":"
          + t.reused()
          + ",\"local\":\""
          + Story.format(t.local())
          + "\",\"remote\":\""
          + Story.format(t.remote())
          + "\",\"time_namelookup\":"
          + seconds(t.resolve())
          + ",\"time_connect\":"
          + seconds(t.resolve().plus(t.connect()))
          + ",\"time_starttransfer\":"
          + seconds(t.resolve().plus(t.connect()).plus(t.firstByte()))
          + ",\"time_total\":"
          + seconds(Duration.ofNanos(System.nanoTime() - started))
          + "}";
    }
  }

  private static String ms(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.6f", d.toNanos() / 1e9);
  }

  /** A one-line progress bar on the terminal: bytes, share, rate, time left. */
  private static final class Progress {
    private final PrintWriter err;
    long total = -1;
    private long lastDraw;

    Progress(PrintWriter err) {
      this.err = err;
    }

    void update(long received, long started) {
      long now = System.nanoTime();
      if (now - lastDraw < 100_000_000L) {
        return;
      }
      lastDraw = now;
      draw(received, started, now);
    }

    void finish(long received, long started) {
      draw(received, started, System.nanoTime());
      err.println();
      err.flush();
    }

    private void draw(long received, long started, long now) {
      double seconds = Math.max(1e-9, (now - started) / 1e9);
      double rate = received / seconds;
      var line = new StringBuilder("\r").append(ByteSize.format(received));
      if (total > 0) {
        line.append(" / ")
            .append(ByteSize.format(total))
            .append(String.format(java.util.Locale.ROOT, "  %3d%%", received * 100 / total));
        if (rate > 0) {
          line.append(
              String.format(
                  java.util.Locale.ROOT, "  ETA %ds", (long) ((total - received) / rate)));
        }
      }
      line.append("  ").append(ByteSize.format((long) rate)).append("/s   ");
      err.print(line);
      err.flush();
    }
  }
}
