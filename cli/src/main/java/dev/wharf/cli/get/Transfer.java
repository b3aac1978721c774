package dev.wharf.cli.get;

import dev.wharf.cli.Failures;
import dev.wharf.cli.Story;
import dev.wharf.cli.UserCredentials;
import dev.wharf.cli.tls.TlsStory;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.ExchangeTimings;
import dev.wharf.http.client.ResponseListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One exchange of {@code wharf get}, followed across its redirects: streams the response to stdout
 * or the {@code -o} file (decoded under {@code --compressed}, with the head under {@code -i}),
 * draws the progress bar, tells {@code -v}, decides the failures curl would ({@code -f}, too many
 * redirects, a resume the server cannot do, binary output on a terminal) and keeps the figures
 * {@code -w} prints.
 *
 * <p>Its listener callbacks run on the client's loop; {@link #done} hands the outcome to the main
 * thread, which then sets {@link #timings}, {@link #exitCode} and {@link #errorMessage}.
 */
final class Transfer implements ResponseListener {
  /**
   * What the command line says about every attempt.
   *
   * @param typedUrl the URL as given, for {@code %{url}}
   * @param target the {@code -o} file, or null for stdout
   * @param includeHead {@code -I} or {@code -i}: the response head is written before the body
   * @param showProgress a progress bar on stderr (a file download on a terminal, not {@code -s})
   * @param refuseBinary stdout is a terminal that binary output would garble
   * @param resumeFrom the {@code -C} offset asked for, 0 for none
   */
  record Settings(
      String typedUrl,
      Path target,
      boolean verbose,
      boolean silent,
      boolean fail,
      boolean includeHead,
      boolean compressed,
      boolean follow,
      int maxRedirects,
      boolean showProgress,
      boolean refuseBinary,
      long resumeFrom) {}

  /** curl's transient answers for --retry. */
  private static final java.util.Set<Integer> TRANSIENT =
      java.util.Set.of(408, 429, 500, 502, 503, 504);

  /** curl's longest wait between retries. */
  private static final Duration MAX_WAIT = Duration.ofMinutes(10);

  final CompletableFuture<ExchangeTimings> done = new CompletableFuture<>();
  private final ClientRequest request;
  private final OutputStream sink;
  private final PrintWriter err;
  private final Settings settings;
  private final Path target;
  private final boolean verbose;
  private final Progress progress;
  private final boolean mayRetry;
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
  int exitCode;
  String errorMessage;

  /**
   * @param sink where the body goes (and the head, under {@code -i})
   * @param mayRetry another attempt may follow: a transient answer's body is not written
   */
  Transfer(
      ClientRequest request,
      OutputStream sink,
      PrintWriter err,
      Settings settings,
      boolean mayRetry) {
    this.request = request;
    this.current = request.uri();
    this.sink = sink;
    this.err = err;
    this.settings = settings;
    this.target = settings.target();
    this.verbose = settings.verbose();
    this.progress = settings.showProgress() ? new Progress(err) : null;
    this.mayRetry = mayRetry;
  }

  /** The response's status, 0 before its head. */
  int status() {
    return status;
  }

  /**
   * With --retry, how long to wait before the next attempt, if this outcome is worth one: curl's
   * transient errors, waiting as Retry-After says or 1 s doubling with each attempt.
   */
  Optional<Duration> retryDelay(int exitCode, int attempt) {
    boolean isTransient =
        exitCode == CurlExit.TIMED_OUT
            || (status != 0 && TRANSIENT.contains(status) && exitCode != CurlExit.WRITE_ERROR);
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
    return exitCode == CurlExit.TIMED_OUT ? "timed out" : "the server answered " + status;
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
  CurlExit.Failure outputFailure(IOException e) {
    if (e instanceof java.util.zip.ZipException) {
      return new CurlExit.Failure(
          "cannot decode the body: " + Failures.describe(e), CurlExit.BAD_CONTENT_ENCODING);
    }
    return CurlExit.writeFailure(e);
  }

  /** The exit code for a failure: a body cut short is curl's 18. */
  int failureCode(Throwable cause) {
    int code = CurlExit.of(cause);
    boolean bodyCut =
        status != 0 && (code == Failures.IO_FAILURE || code == CurlExit.WEIRD_SERVER_REPLY);
    return bodyCut ? CurlExit.PARTIAL_FILE : code;
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
  public void streamOpened(String version, int streamId) {
    if (verbose) {
      err.println("* using " + version);
      if (streamId != 0) {
        // As curl -v tells a multiplexed exchange.
        err.println("* [" + version + "] [" + streamId + "] OPENED stream for " + current);
      }
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
      err.println("< " + statusLine(responseHead));
      for (Headers.Field field : responseHead.headers().fields()) {
        err.println("< " + field.name() + ": " + field.value());
      }
      err.println("<");
      err.flush();
    }
    this.responseHead = responseHead;
    if ((settings.fail() && status >= 400) || (mayRetry && TRANSIENT.contains(status))) {
      suppressBody = true; // An error under -f, or an answer to try again: no body written.
      return;
    }
    if (settings.resumeFrom() > 0 && status == 200) {
      suppressBody = true;
      done.completeExceptionally(
          new CurlExit.Failure(
              "the server does not support byte ranges: cannot resume", CurlExit.RANGE_ERROR));
      return;
    }
    if (settings.includeHead()) {
      var text = new StringBuilder();
      text.append(statusLine(responseHead)).append("\r\n");
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
    if (settings.compressed()) {
      decoder =
          responseHead
              .headers()
              .first("Content-Encoding")
              .flatMap(encoding -> ContentDecoding.decoder(encoding, sink))
              .orElse(null);
    }
  }

  /** "HTTP/1.1 200 OK", or "HTTP/2 200": HTTP/2 has no reason phrase (RFC 9113 §8.3.2). */
  private static String statusLine(ResponseHead head) {
    String line = head.version() + " " + head.status();
    return head.reason().isEmpty() ? line : line + " " + head.reason();
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
    if (exitCode != CurlExit.TIMED_OUT || status == 0) {
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
    if (settings.refuseBinary() && !checkedForBinary) {
      checkedForBinary = true;
      if (hasNul(chunk)) {
        // As curl: binary output can leave a terminal in a state its user cannot read.
        suppressBody = true;
        chunk.position(chunk.limit());
        done.completeExceptionally(
            new CurlExit.Failure(
                "binary output can mess up your terminal: use -o FILE, or -o - to write it"
                    + " here anyway",
                CurlExit.WRITE_ERROR));
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
    if (settings.fail() && status >= 400) {
      done.completeExceptionally(
          new CurlExit.Failure(
              "the server answered " + status + " for " + current, CurlExit.HTTP_ERROR));
      return;
    }
    if (settings.follow()
        && status >= 300
        && status < 400
        && redirects >= settings.maxRedirects()) {
      done.completeExceptionally(
          new CurlExit.Failure(
              "more than " + settings.maxRedirects() + " redirects", CurlExit.TOO_MANY_REDIRECTS));
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
    f.put("url", UserCredentials.redact(settings.typedUrl()));
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

  private static String ms(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
  }
}
