package dev.wharf.cli;

import dev.wharf.core.ConnectionTimeoutException;
import dev.wharf.core.Durations;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.ExchangeTimings;
import dev.wharf.http.client.HttpClient;
import dev.wharf.http.client.RequestBody;
import dev.wharf.http.client.ResponseListener;
import dev.wharf.http.files.BasicAuth;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
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
  static final int MALFORMED_URL = 3;
  static final int UNRESOLVED = 6;
  static final int WEIRD_SERVER_REPLY = 8;
  static final int PARTIAL_FILE = 18;
  static final int RANGE_ERROR = 33;
  static final int BAD_CONTENT_ENCODING = 61;
  static final int CANNOT_CONNECT = 7;
  static final int HTTP_ERROR = 22;
  static final int WRITE_ERROR = 23;
  static final int READ_ERROR = 26;
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
      description =
          "Send DATA as the body (POST); @FILE sends a file without its CR and LF bytes, @- stdin.")
  String data;

  @Option(
      names = "--data-binary",
      paramLabel = "DATA",
      description = "Send DATA as the body (POST); @FILE sends a file as it is, @- stdin.")
  String dataBinary;

  @Option(
      names = "--data-raw",
      paramLabel = "DATA",
      description = "Send DATA as the body (POST), an @ and all.")
  String dataRaw;

  @Option(
      names = {"-F", "--form"},
      paramLabel = "NAME=VALUE",
      description =
          "Send a multipart/form-data field (POST); NAME=@FILE uploads a file, NAME=<FILE sends"
              + " its text as the value; repeatable.")
  List<String> form = new ArrayList<>();

  @Option(
      names = {"-T", "--upload-file"},
      paramLabel = "FILE",
      description = "PUT the file (- for stdin) to the URL, with its name appended to a URL in /.")
  String uploadFile;

  @Option(
      names = "--json",
      paramLabel = "DATA",
      description = "Send DATA as JSON (POST, Content-Type and Accept JSON).")
  String json;

  @Option(
      names = {"-u", "--user"},
      paramLabel = "USER:PASSWORD",
      description = "Send Basic credentials (else those of the URL's user:password@, if any).")
  String user;

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
      names = {"-S", "--show-error"},
      description = "With -s, still print the error message of a failure.")
  boolean showError;

  @Option(
      names = {"-r", "--range"},
      paramLabel = "RANGE",
      description = "Ask for these bytes only: FIRST-LAST, FIRST- or -SUFFIX (Range: bytes=RANGE).")
  String range;

  @Option(
      names = {"-C", "--continue-at"},
      paramLabel = "OFFSET",
      description = "Resume at OFFSET, or with - where the -o file ends, appending to it.")
  String continueAt;

  @Option(
      names = "--compressed",
      description = "Ask for a gzip or deflate body and write it decoded.")
  boolean compressed;

  @Option(
      names = "--retry",
      paramLabel = "N",
      description =
          "Try again up to N times on a timeout or a 408, 429, 500, 502, 503 or 504, waiting"
              + " 1 s, then twice as long each time, or as Retry-After says.")
  int retry;

  @Option(
      names = {"-v", "--verbose"},
      description = "Tell the socket's story on stderr.")
  boolean verbose;

  @Option(
      names = {"-w", "--write-out"},
      paramLabel = "FORMAT",
      description =
          "After the transfer, print FORMAT with curl's variables (%{http_code},"
              + " %{time_total}, %header{name}, %{json}...); json for %{json}; @FILE reads it.")
  String writeOut;

  /**
   * Stdout, unbuffered and not System.out: a PrintStream swallows the error of a closed pipe, so
   * {@code wharf get URL | head -c 10} would download the whole body and exit 0. curl stops at once
   * with 23.
   */
  OutputStream out = new FileOutputStream(FileDescriptor.out);

  /** The request the arguments describe; starts nothing. */
  ClientRequest request() throws IOException {
    URI uri = parseUrl(url);
    Optional<BasicAuth.Credentials> credentials = UserCredentials.of(uri, user);
    uri = UserCredentials.withoutUserInfo(uri);
    var fields = Headers.builder();
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("a header is NAME: VALUE, got: " + header);
      }
      fields.add(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
    }
    RequestBody body = RequestBody.EMPTY;
    String verb = head ? "HEAD" : "GET";
    int bodies =
        (data != null ? 1 : 0)
            + (dataBinary != null ? 1 : 0)
            + (dataRaw != null ? 1 : 0)
            + (json != null ? 1 : 0)
            + (uploadFile != null ? 1 : 0)
            + (form.isEmpty() ? 0 : 1);
    if (bodies > 1) {
      throw new IllegalArgumentException(
          "give one of --data, --data-binary, --data-raw, --json, --form and --upload-file");
    }
    if (data != null || dataBinary != null || dataRaw != null) {
      body =
          data != null
              ? UploadBody.data(data)
              : dataBinary != null ? UploadBody.binary(dataBinary) : UploadBody.literal(dataRaw);
      verb = "POST";
      if (!fields.contains("Content-Type")) {
        fields.add("Content-Type", "application/x-www-form-urlencoded");
      }
    }
    if (!form.isEmpty()) {
      FormData formData = FormData.of(form);
      body = formData.body();
      verb = "POST";
      fields.set("Content-Type", formData.contentType());
    }
    if (uploadFile != null) {
      body = UploadBody.file(uploadFile);
      verb = "PUT";
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (!uploadFile.equals("-") && (path.isEmpty() || path.endsWith("/"))) {
        // As curl: a URL with no file part gets the uploaded file's name.
        String name = encodeSegment(Path.of(uploadFile).getFileName().toString());
        uri = uri.resolve(path.isEmpty() ? "/" + name : name);
      }
    }
    if (json != null) {
      body = UploadBody.binary(json);
      verb = "POST";
      fields.set("Content-Type", "application/json");
      fields.set("Accept", "application/json");
    }
    if (method != null) {
      verb = method;
    }
    if (credentials.isPresent() && !fields.contains("Authorization")) {
      fields.add("Authorization", credentials.get().authorization());
    }
    if (range != null) {
      if (!range.matches("\\d*-\\d*(,\\d*-\\d*)*") || range.equals("-")) {
        throw new IllegalArgumentException("-r takes FIRST-LAST, FIRST- or -SUFFIX, got " + range);
      }
      fields.set("Range", "bytes=" + range);
    }
    if (compressed && !fields.contains("Accept-Encoding")) {
      fields.add("Accept-Encoding", ContentDecoding.ACCEPTED);
    }
    return new ClientRequest(verb, uri, fields.build(), body);
  }

  private static String encodeSegment(String name) {
    return java.net.URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static URI parseUrl(String text) {
    return Urls.parse(text, "http");
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ClientRequest request;
    try {
      request = request();
    } catch (Urls.Malformed e) {
      complain(err, e.getMessage());
      return MALFORMED_URL;
    } catch (IOException e) {
      complain(err, Failures.describe(e)); // A body file that cannot be read: curl's 26.
      return READ_ERROR;
    }
    Path target = output;
    boolean explicitStdout = target != null && target.toString().equals("-");
    if (explicitStdout) {
      target = null;
    }
    if (remoteName) {
      String path = request.uri().getPath();
      String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("-O needs a URL that ends in a file name");
      }
      target = Path.of(name);
    }
    long resumeFrom = resumeOffset(target);
    if (resumeFrom > 0) {
      var fields = Headers.builder();
      request.headers().fields().forEach(f -> fields.add(f.name(), f.value()));
      request = request.withHeaders(fields.set("Range", "bytes=" + resumeFrom + "-").build());
    }
    String format = writeOutFormat();
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
        complain(err, e.getMessage());
        return e.option.equals("--cacert") ? CA_FILE_PROBLEM : CLIENT_CERTIFICATE_PROBLEM;
      }
    }
    OutputStream file;
    try {
      file =
          target == null
              ? null
              : resumeFrom > 0
                  ? Files.newOutputStream(
                      target, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                  : Files.newOutputStream(target);
    } catch (IOException e) {
      complain(err, Failures.describe(e)); // Nowhere to write the body: curl's 23.
      return WRITE_ERROR;
    }
    var client = builder.build();
    OutputStream sink = new BufferedOutputStream(file == null ? out : file, 64 * 1024);
    boolean terminal = System.console() != null && System.console().isTerminal();
    try {
      Transfer transfer;
      int code;
      for (int attempt = 0; ; attempt++) {
        int retriesLeft = retry - attempt;
        transfer =
            new Transfer(
                request,
                sink,
                target,
                err,
                target != null && !silent && terminal,
                retriesLeft > 0,
                resumeFrom,
                target == null && !explicitStdout && terminal);
        code = run(client, request, transfer, sink);
        Optional<Duration> wait =
            retriesLeft > 0 ? transfer.retryDelay(code, attempt) : Optional.empty();
        if (wait.isEmpty()) {
          break;
        }
        if (!silent) {
          err.println(
              "wharf get: "
                  + transfer.transientProblem(code)
                  + "; will retry in "
                  + Durations.format(wait.get())
                  + ", "
                  + retriesLeft
                  + (retriesLeft == 1 ? " retry" : " retries")
                  + " left");
          err.flush();
        }
        Thread.sleep(wait.get());
      }
      if (code != 0 && transfer.errorMessage != null) {
        complain(err, transfer.errorMessage);
      }
      if (format != null) {
        try {
          WriteOut figures = transfer.writeOut(code);
          sink.flush();
          out.write(figures.format(format).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          complain(err, writeFailure(e).getMessage());
          return code == 0 ? WRITE_ERROR : code;
        }
      }
      return code;
    } finally {
      if (file != null) {
        sink.close();
      }
      client.close();
    }
  }

  /** One exchange to its end; the exit code, with the failure's message kept in the transfer. */
  private int run(HttpClient client, ClientRequest request, Transfer transfer, OutputStream sink)
      throws InterruptedException {
    try {
      client.exchange(request, transfer);
      transfer.timings =
          maxTime > 0
              ? transfer.done.get((long) (maxTime * 1000) + 1000, TimeUnit.MILLISECONDS)
              : transfer.done.get();
      try {
        transfer.finishBody();
        sink.flush();
      } catch (IOException e) {
        throw new ExecutionException(transfer.outputFailure(e));
      }
      return fail && transfer.status >= 400 ? HTTP_ERROR : 0;
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? Failures.unwrap(e.getCause()) : e;
      int code = transfer.exitCode(cause);
      try {
        sink.flush(); // What did arrive is kept, as curl keeps it.
      } catch (IOException ignored) {
        // The failure already told is the one that matters.
      }
      transfer.errorMessage =
          code == PARTIAL_FILE
              ? transfer.partialMessage()
              : Failures.describe(cause) + transfer.progressNote(code);
      return code;
    }
  }

  /** An error line, unless -s without -S. */
  private void complain(PrintWriter err, String message) {
    if (!silent || showError) {
      err.println("wharf get: " + message);
      err.flush();
    }
  }

  /** -C: where to resume, 0 for the start; {@code -} is where the -o file ends. */
  private long resumeOffset(Path target) throws IOException {
    if (continueAt == null) {
      return 0;
    }
    if (continueAt.equals("-")) {
      if (target == null) {
        throw new IllegalArgumentException("-C - needs -o FILE or -O, to know where to resume");
      }
      return Files.exists(target) ? Files.size(target) : 0;
    }
    try {
      long offset = Long.parseLong(continueAt);
      if (offset < 0) {
        throw new NumberFormatException();
      }
      return offset;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-C takes an offset in bytes or -, got " + continueAt);
    }
  }

  /** -w's format: {@code json} is %{json}, {@code @FILE} a file's text, {@code @-} stdin's. */
  private String writeOutFormat() throws IOException {
    if (writeOut == null) {
      return null;
    }
    if (writeOut.equals("json")) {
      return "%{json}\n";
    }
    if (writeOut.startsWith("@")) {
      String name = writeOut.substring(1);
      return name.equals("-")
          ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(name), StandardCharsets.UTF_8);
    }
    return writeOut;
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
    if (cause instanceof ConnectionTimeoutException
        || cause instanceof java.util.concurrent.TimeoutException) {
      return TIMED_OUT;
    }
    if (cause instanceof ConnectException || cause instanceof java.net.NoRouteToHostException) {
      return CANNOT_CONNECT;
    }
    if (cause instanceof HttpFailure failure) {
      return failure.exitCode;
    }
    if (cause instanceof java.net.ProtocolException) {
      return WEIRD_SERVER_REPLY; // The response did not parse: curl's 8.
    }
    return Failures.IO_FAILURE;
  }

  /** Stdout or the -o file would take no more (a closed pipe, a full disk): curl's 23. */
  static HttpFailure writeFailure(IOException e) {
    return new HttpFailure("cannot write the body: " + Failures.describe(e), WRITE_ERROR);
  }

  /** A failure decided here (an HTTP error under -f, a write error), with curl's exit code. */
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
    /** curl's transient answers for --retry. */
    private static final java.util.Set<Integer> TRANSIENT =
        java.util.Set.of(408, 429, 500, 502, 503, 504);

    /** curl's longest wait between retries. */
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    final CompletableFuture<ExchangeTimings> done = new CompletableFuture<>();
    private final ClientRequest request;
    private final OutputStream sink;
    private final Path target;
    private final PrintWriter err;
    private final Progress progress;
    private final boolean mayRetry;
    private final long resumeFrom;
    private final boolean refuseBinary;
    private final long started = System.nanoTime();
    private long lastRedirectAt = started;
    private URI current;
    private volatile int status;
    private int redirects;
    // Written on the loop; read by the main thread, after a timeout without the future's ordering.
    private volatile long received;
    private volatile long announced = -1;
    private volatile ResponseHead responseHead;
    private boolean suppressBody;
    private OutputStream decoder; // --compressed, for an encoded body
    private boolean checkedForBinary;
    // Set by the main thread once the exchange is over.
    ExchangeTimings timings;
    String errorMessage;

    Transfer(
        ClientRequest request,
        OutputStream sink,
        Path target,
        PrintWriter err,
        boolean showProgress,
        boolean mayRetry,
        long resumeFrom,
        boolean refuseBinary) {
      this.request = request;
      this.current = request.uri();
      this.sink = sink;
      this.target = target;
      this.err = err;
      this.progress = showProgress ? new Progress(err) : null;
      this.mayRetry = mayRetry;
      this.resumeFrom = resumeFrom;
      this.refuseBinary = refuseBinary;
    }

    /**
     * With --retry, how long to wait before the next attempt, if this outcome is worth one: curl's
     * transient errors, waiting as Retry-After says or 1 s doubling with each attempt.
     */
    Optional<Duration> retryDelay(int exitCode, int attempt) {
      boolean isTransient =
          exitCode == TIMED_OUT || (status != 0 && TRANSIENT.contains(status) && exitCode != 23);
      if (!isTransient) {
        return Optional.empty();
      }
      Duration wait = Duration.ofSeconds(1L << Math.min(attempt, 10));
      ResponseHead head = responseHead;
      if (head != null && head.headers().first("Retry-After").isPresent()) {
        try {
          // RFC 9110 §10.2.3: delay-seconds (an HTTP-date is taken as the default wait).
          wait = Duration.ofSeconds(Long.parseLong(head.headers().first("Retry-After").get()));
        } catch (NumberFormatException e) {
          // Keep the doubling wait.
        }
      }
      return Optional.of(wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait);
    }

    String transientProblem(int exitCode) {
      return exitCode == TIMED_OUT ? "timed out" : "the server answered " + status;
    }

    /** Ends a decoded body: what the decoder still holds goes to the sink. */
    void finishBody() throws IOException {
      if (decoder != null) {
        OutputStream ending = decoder;
        decoder = null;
        ending.close();
      }
    }

    /** A failure writing the body: curl's 61 for a body that does not decode, else 23. */
    HttpFailure outputFailure(IOException e) {
      if (e instanceof java.util.zip.ZipException) {
        return new HttpFailure(
            "cannot decode the body: " + Failures.describe(e), BAD_CONTENT_ENCODING);
      }
      return writeFailure(e);
    }

    /** The exit code for a failure: a body cut short is curl's 18. */
    int exitCode(Throwable cause) {
      int code = GetCommand.exitCode(cause);
      boolean bodyCut = status != 0 && (code == Failures.IO_FAILURE || code == WEIRD_SERVER_REPLY);
      return bodyCut ? PARTIAL_FILE : code;
    }

    String partialMessage() {
      long remaining = announced - received;
      return announced >= 0 && remaining > 0
          ? "transfer closed with " + remaining + " bytes remaining to read"
          : "transfer closed with outstanding read data remaining";
    }

    // -v tells, as curl does, the connection, its TLS, then the request as written: before the
    // response, in the order they happen.
    @Override
    public void connected(SocketAddress local, SocketAddress remote, boolean reused) {
      if (verbose) {
        err.println(
            reused
                ? "* Re-using the connection to "
                    + Story.format(remote)
                    + " from "
                    + Story.format(local)
                : "* Connected to "
                    + current.getHost()
                    + " ("
                    + ip(remote)
                    + ") port "
                    + port(remote)
                    + " from "
                    + Story.format(local));
        err.flush();
      }
    }

    @Override
    public void tlsEstablished(TlsSession session) {
      if (verbose) {
        err.println("* " + TlsStory.describe(session, true));
        err.flush();
      }
    }

    @Override
    public void requestHead(ByteBuffer head) {
      if (verbose) {
        String text = StandardCharsets.ISO_8859_1.decode(head).toString();
        for (String line : text.split("\r\n", -1)) {
          if (!line.isEmpty()) {
            err.println("> " + UserCredentials.hideInHeaderLine(line));
          }
        }
        err.println(">");
        err.flush();
      }
    }

    @Override
    public void redirected(URI from, URI to, int code) {
      redirects++;
      lastRedirectAt = System.nanoTime();
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
        err.println("< " + responseHead.version() + " " + status + " " + responseHead.reason());
        for (Headers.Field field : responseHead.headers().fields()) {
          err.println("< " + field.name() + ": " + field.value());
        }
        err.println("<");
        err.flush();
      }
      this.responseHead = responseHead;
      if ((fail && status >= 400) || (mayRetry && TRANSIENT.contains(status))) {
        suppressBody = true; // An error under -f, or an answer to try again: no body written.
        return;
      }
      if (resumeFrom > 0 && status == 200) {
        suppressBody = true;
        done.completeExceptionally(
            new HttpFailure("the server does not support byte ranges: cannot resume", RANGE_ERROR));
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
      if (compressed) {
        decoder =
            responseHead
                .headers()
                .first("Content-Encoding")
                .flatMap(encoding -> ContentDecoding.decoder(encoding, sink))
                .orElse(null);
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
      if (refuseBinary && !checkedForBinary) {
        checkedForBinary = true;
        if (hasNul(chunk)) {
          // As curl: binary output can leave a terminal in a state its user cannot read.
          suppressBody = true;
          chunk.position(chunk.limit());
          done.completeExceptionally(
              new HttpFailure(
                  "binary output can mess up your terminal: use -o FILE, or -o - to write it"
                      + " here anyway",
                  WRITE_ERROR));
          return;
        }
      }
      write(chunk);
      if (progress != null) {
        progress.update(received, started);
      }
    }

    private static boolean hasNul(ByteBuffer chunk) {
      for (int i = chunk.position(); i < chunk.limit(); i++) {
        if (chunk.get(i) == 0) {
          return true;
        }
      }
      return false;
    }

    private void write(ByteBuffer chunk) {
      OutputStream to = decoder != null ? decoder : sink;
      try {
        if (chunk.hasArray()) {
          to.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
          chunk.position(chunk.limit());
        } else {
          byte[] bytes = new byte[chunk.remaining()];
          chunk.get(bytes);
          to.write(bytes);
        }
      } catch (IOException e) {
        suppressBody = true;
        done.completeExceptionally(outputFailure(e));
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
                + (timings.reused()
                    ? ""
                    : "resolve "
                        + ms(timings.resolve())
                        + ", connect "
                        + ms(timings.connect())
                        + ", ")
                + "first byte after "
                + ms(timings.firstByte())
                + ", total "
                + ms(timings.total()));
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

    /** The figures of -w, named as curl's. */
    WriteOut writeOut(int exitCode) {
      ExchangeTimings t = timings;
      ResponseHead head = responseHead;
      Headers fields = head == null ? Headers.EMPTY : head.headers();
      var f = new LinkedHashMap<String, Object>();
      f.put("content_type", fields.first("Content-Type").orElse(null));
      f.put("errormsg", exitCode == 0 ? null : errorMessage);
      f.put("exitcode", exitCode);
      f.put("filename_effective", target == null ? null : target.toString());
      f.put("http_code", WriteOut.status(status));
      f.put("http_version", head == null ? "0" : head.version().substring("HTTP/".length()));
      f.put("local_ip", t == null ? "" : ip(t.local()));
      f.put("local_port", t == null ? 0 : port(t.local()));
      f.put("method", request.method());
      f.put("num_connects", t == null || t.reused() ? 0 : 1);
      f.put("num_headers", fields.size());
      f.put("num_redirects", redirects);
      f.put("remote_ip", t == null ? "" : ip(t.remote()));
      f.put("remote_port", t == null ? 0 : port(t.remote()));
      f.put("response_code", WriteOut.status(status));
      f.put("scheme", current.getScheme().toUpperCase(java.util.Locale.ROOT));
      f.put("size_download", received);
      f.put("size_header", head == null ? 0 : headSize(head));
      f.put("size_upload", Math.max(0, request.body().length()));
      Duration total = Duration.ofNanos(System.nanoTime() - started);
      Duration redirecting = Duration.ofNanos(lastRedirectAt - started);
      Duration lookup = t == null ? Duration.ZERO : redirecting.plus(t.resolve());
      Duration connect = t == null ? Duration.ZERO : lookup.plus(t.connect());
      f.put("speed_download", received * 1_000_000_000L / Math.max(1, total.toNanos()));
      f.put(
          "time_appconnect",
          WriteOut.seconds(t != null && t.tls().isPresent() ? connect : Duration.ZERO));
      f.put("time_connect", WriteOut.seconds(connect));
      f.put("time_namelookup", WriteOut.seconds(lookup));
      f.put("time_pretransfer", WriteOut.seconds(connect));
      f.put("time_redirect", WriteOut.seconds(redirecting));
      f.put(
          "time_starttransfer",
          WriteOut.seconds(t == null ? Duration.ZERO : connect.plus(t.firstByte())));
      f.put("time_total", WriteOut.seconds(total));
      f.put("url", UserCredentials.redact(url));
      f.put("url_effective", current.toString());
      return new WriteOut(f, fields);
    }

    private static String ip(java.net.SocketAddress address) {
      if (address instanceof java.net.InetSocketAddress inet && inet.getAddress() != null) {
        return dev.wharf.core.Addresses.host(inet.getAddress());
      }
      return "";
    }

    private static int port(java.net.SocketAddress address) {
      return address instanceof java.net.InetSocketAddress inet ? inet.getPort() : 0;
    }

    /** The bytes of a response head as it came: status line, fields, blank line. */
    private static long headSize(ResponseHead head) {
      long size = head.version().length() + 5 + head.reason().length() + 2 + 2;
      for (Headers.Field field : head.headers().fields()) {
        size += field.name().length() + 2 + field.value().length() + 2;
      }
      return size;
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
