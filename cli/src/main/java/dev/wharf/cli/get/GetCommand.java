package dev.wharf.cli.get;

import dev.wharf.cli.Failures;
import dev.wharf.cli.Urls;
import dev.wharf.cli.UserCredentials;
import dev.wharf.cli.UserOption;
import dev.wharf.cli.tls.ClientTlsOptions;
import dev.wharf.cli.tls.TlsOptionException;
import dev.wharf.http.Headers;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.HttpClient;
import dev.wharf.http.client.RequestBody;
import dev.wharf.http.files.BasicAuth;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wharf get}: fetches a URL as curl does, with the same option letters and exit codes (6
 * unresolvable host, 7 cannot connect, 22 HTTP error with -f, 28 timeout, 35 TLS handshake, 47
 * redirects, 58 client certificate, 60 server certificate, 77 CA file, 90 pinned key).
 *
 * <p>This class is the command line: it turns the options into a request, an output and {@link
 * Transfer.Settings}, and writes {@code -w}'s figures at the end; {@link Fetch} runs the attempts
 * and {@link Transfer} each exchange.
 */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Fetches URLs over HTTP/1.1 or HTTP/2, as curl does; the body goes to stdout or -o FILE.",
      "HTTPS offers HTTP/2 (h2) and HTTP/1.1 by ALPN; several URLs go one after another, sharing"
          + " a connection where they share an origin.",
      "HTTPS checks the server's certificate against the system's CAs and the host name, unless"
          + " --cacert, --pin, --servername or --insecure say otherwise.",
      "Exit codes as curl's: 6 unknown host, 7 cannot connect, 22 HTTP error with -f, 28"
          + " timeout, 35 TLS handshake failed, 47 too many redirects, 58 bad --cert, 60 server"
          + " certificate rejected, 77 bad --cacert, 90 pinned key mismatch."
    })
public final class GetCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      paramLabel = "URL",
      arity = "1..*",
      description =
          "An http:// or https:// URL (http:// is assumed if missing); several are fetched in"
              + " turn, on one connection per origin.")
  List<String> urls = new ArrayList<>();

  /** The URL being fetched (one of {@link #urls}). */
  String url;

  @Option(names = "--http1.1", description = "Speak HTTP/1.1 only (ALPN offers http/1.1).")
  boolean http11;

  @Option(
      names = "--http2",
      description = "Speak HTTP/2 where the server agrees by ALPN over TLS (the default).")
  boolean http2;

  @Option(
      names = "--http2-prior-knowledge",
      description = "Speak HTTP/2 at once on http:// URLs too (h2c by prior knowledge).")
  boolean http2PriorKnowledge;

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

  @Mixin UserOption user = new UserOption();

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
          "After the transfer, print FORMAT with curl's variables (%%{http_code},"
              + " %%{time_total}, %%header{name}, %%{json}...); json for %%{json}; @FILE reads"
              + " it.")
  String writeOut;

  /**
   * Stdout, unbuffered and not System.out: a PrintStream swallows the error of a closed pipe, so
   * {@code wharf get URL | head -c 10} would download the whole body and exit 0. curl stops at once
   * with 23.
   */
  OutputStream out = new FileOutputStream(FileDescriptor.out);

  /**
   * The HTTP versions the options ask for.
   *
   * @throws IllegalArgumentException when more than one is given
   */
  HttpClient.Version version() {
    int given = (http11 ? 1 : 0) + (http2 ? 1 : 0) + (http2PriorKnowledge ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException(
          "give one of --http1.1, --http2 and --http2-prior-knowledge");
    }
    return http11
        ? HttpClient.Version.HTTP_1_1
        : http2PriorKnowledge
            ? HttpClient.Version.HTTP_2_PRIOR_KNOWLEDGE
            : HttpClient.Version.HTTP_2;
  }

  /** The request the arguments describe for the first URL; starts nothing. */
  ClientRequest request() throws IOException {
    url = urls.getFirst();
    return requestFor();
  }

  /** The request the arguments describe for {@link #url}. */
  private ClientRequest requestFor() throws IOException {
    URI uri = parseUrl(url);
    Optional<BasicAuth.Credentials> credentials = user.credentials(uri);
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
    HttpClient.Version version = version();
    if (urls.size() > 1 && (output != null || continueAt != null)) {
      throw new IllegalArgumentException("-o and -C go with one URL; -O names each file");
    }
    boolean anyHttps =
        urls.stream().anyMatch(u -> u.regionMatches(true, 0, "https://", 0, "https://".length()));
    var builder =
        HttpClient.builder()
            .version(version)
            .connectTimeout(Duration.ofMillis((long) (connectTimeout * 1000)))
            .responseTimeout(
                maxTime > 0 ? Duration.ofMillis((long) (maxTime * 1000)) : Duration.ZERO)
            .followRedirects(follow ? maxRedirects : 0);
    if (tls.anyGiven() || anyHttps) {
      try {
        builder.tls(
            tls.config(
                HttpClient.alpn(version),
                warning -> {
                  if (!silent) {
                    err.println("wharf get: " + warning);
                    err.flush();
                  }
                }));
      } catch (TlsOptionException e) {
        complain(err, e.getMessage());
        return e.option.equals("--cacert")
            ? CurlExit.CA_FILE_PROBLEM
            : CurlExit.CLIENT_CERTIFICATE_PROBLEM;
      }
    }
    int exit = 0;
    try (var client = builder.build()) {
      // As curl: each URL in turn, the later ones on the connection the earlier ones left.
      for (String each : urls) {
        url = each;
        int code = fetch(client, err);
        if (code != 0) {
          exit = code;
        }
      }
    }
    return exit;
  }

  /** Fetches {@link #url} with {@code client}; the exit code of its transfer. */
  private int fetch(HttpClient client, PrintWriter err) throws Exception {
    ClientRequest request;
    try {
      request = requestFor();
    } catch (Urls.Malformed e) {
      complain(err, e.getMessage());
      return CurlExit.MALFORMED_URL;
    } catch (IOException e) {
      complain(err, Failures.describe(e)); // A body file that cannot be read: curl's 26.
      return CurlExit.READ_ERROR;
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
      return CurlExit.WRITE_ERROR;
    }
    OutputStream sink = new BufferedOutputStream(file == null ? out : file, 64 * 1024);
    boolean terminal = System.console() != null && System.console().isTerminal();
    var settings =
        new Transfer.Settings(
            url,
            target,
            verbose,
            silent,
            fail,
            head || include,
            compressed,
            follow,
            maxRedirects,
            target != null && !silent && terminal,
            target == null && !explicitStdout && terminal,
            resumeFrom);
    int code;
    try {
      code = transfer(client, request, sink, err, settings, format);
    } catch (Exception | Error e) {
      closeQuietly(file == null ? null : sink);
      throw e;
    }
    try {
      if (file != null) {
        sink.close();
      } else {
        sink.flush();
      }
    } catch (IOException e) {
      if (code == 0) {
        complain(err, CurlExit.writeFailure(e).getMessage());
        return CurlExit.WRITE_ERROR;
      }
      // The transfer failed and said why already (a closed pipe, written to once more here): one
      // line for one failure, as curl prints.
    }
    return code;
  }

  private int transfer(
      HttpClient client,
      ClientRequest request,
      OutputStream sink,
      PrintWriter err,
      Transfer.Settings settings,
      String format)
      throws Exception {
    Transfer transfer = new Fetch(client, request, sink, err, settings, retry, maxTime).run();
    int code = transfer.exitCode;
    if (code != 0 && transfer.errorMessage != null) {
      complain(err, transfer.errorMessage);
    }
    if (format != null) {
      try {
        WriteOut figures = transfer.writeOut(code);
        sink.flush();
        out.write(figures.format(format).getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        complain(err, CurlExit.writeFailure(e).getMessage());
        return code == 0 ? CurlExit.WRITE_ERROR : code;
      }
    }
    return code;
  }

  private static void closeQuietly(OutputStream stream) {
    if (stream == null) {
      return;
    }
    try {
      stream.close();
    } catch (IOException alreadyFailing) {
      // The exception on its way up says what went wrong.
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
}
