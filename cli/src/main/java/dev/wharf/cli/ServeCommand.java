package dev.wharf.cli;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.HttpServer;
import dev.wharf.http.StaticFiles;
import dev.wharf.http.Uploads;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf serve}: a fast, safe static file server, as {@code python3 -m http.server}. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the files of a directory over HTTP/1.1: index.html or a listing for directories,"
          + " ETag and Last-Modified with 304, byte ranges, pre-compressed .br/.gz siblings.",
      "Never serves anything outside the directory; hidden files stay hidden unless asked."
    })
final class ServeCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "DIR", description = "What to serve (default: .).")
  Path directory = Path.of(".");

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = 8000;

  @Option(
      names = {"-b", "--bind"},
      paramLabel = "ADDRESS",
      description = "Address to listen on (default: all interfaces).")
  String bind;

  @Option(names = "--quiet", description = "No access log.")
  boolean quiet;

  @Option(names = "--no-listing", description = "Answer 403 for directories without index.html.")
  boolean noListing;

  @Option(names = "--show-hidden", description = "Serve and list names starting with a dot.")
  boolean showHidden;

  @Option(
      names = "--follow-symlinks",
      description = "Follow symbolic links that lead out of DIR (off: they get 403).")
  boolean followSymlinks;

  @Option(
      names = "--upload",
      description =
          "Accept uploads into DIR: PUT /path/name with the file as the body (curl -T), or a"
              + " multipart form POSTed to a directory (listings then show an upload form).")
  boolean upload;

  @Option(
      names = "--overwrite",
      description = "With --upload, replace existing files (off: 409 Conflict).")
  boolean overwrite;

  @Option(
      names = "--max-upload",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description = "Largest upload accepted, e.g. 500M or 4G (default: 1G; larger get 413).")
  long maxUpload = 1L << 30;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Event loops (default: one per core).")
  int threads = Runtime.getRuntime().availableProcessors();

  /** What the command line asked for; starts nothing. */
  record Options(
      Path directory,
      InetSocketAddress address,
      StaticFiles.Options files,
      Optional<Uploads.Options> uploads,
      long maxUpload,
      boolean quiet,
      int threads) {}

  Options options() throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1");
    }
    if (overwrite && !upload) {
      throw new IllegalArgumentException("--overwrite goes with --upload");
    }
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("not a directory: " + directory);
    }
    InetSocketAddress address =
        bind == null
            ? new InetSocketAddress(port)
            : new InetSocketAddress(InetAddress.getByName(bind), port);
    return new Options(
        directory.toAbsolutePath().normalize(),
        address,
        new StaticFiles.Options(!noListing, showHidden, followSymlinks, upload),
        upload ? Optional.of(new Uploads.Options(overwrite, showHidden)) : Optional.empty(),
        maxUpload,
        quiet,
        threads);
  }

  @Override
  public Integer call() throws Exception {
    Options options = options();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    var files = new StaticFiles(options.directory(), options.files());
    var group = new EventLoopGroup(options.threads(), "wharf-serve", true);
    var stopped = new CountDownLatch(1);
    var builder =
        HttpServer.builder(group)
            .routeBlocking("GET", "/*", files)
            .routeBlocking("GET", "/", files);
    if (options.uploads().isPresent()) {
      var uploads = new Uploads(options.directory(), options.uploads().get());
      builder
          .routeStreaming("PUT", "/*", options.maxUpload(), uploads)
          .routeStreaming("POST", "/*", options.maxUpload(), uploads)
          .routeStreaming("POST", "/", options.maxUpload(), uploads);
    }
    if (!options.quiet()) {
      // One line per request in Common Log Format, on stderr as python's http.server does.
      builder.accessLog(
          entry -> {
            synchronized (err) {
              err.println(entry.commonLogFormat());
              err.flush();
            }
          });
    }
    HttpServer server;
    try {
      server = builder.bind(options.address());
    } catch (IOException e) {
      group.shutdownGracefully(Duration.ZERO).join();
      throw e;
    }
    int actualPort = server.port();
    String host =
        options.address().getAddress().isAnyLocalAddress()
            ? "0.0.0.0"
            : options.address().getHostString();
    out.println(
        "Serving "
            + options.directory()
            + " on http://"
            + host
            + ":"
            + actualPort
            + "/ (http://localhost:"
            + actualPort
            + "/); Ctrl-C stops.");
    options
        .uploads()
        .ifPresent(
            uploads ->
                out.println(
                    "Uploads on: PUT or POST files up to "
                        + ByteSize.format(options.maxUpload())
                        + (uploads.overwrite()
                            ? "; existing files are replaced."
                            : "; existing files are kept.")));
    out.flush();
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      // Ctrl-C: stop accepting, let requests in flight finish, then exit.
                      server.close();
                      group.shutdownGracefully(Duration.ofSeconds(5)).join();
                      stopped.countDown();
                    }));
    stopped.await();
    return 0;
  }
}
