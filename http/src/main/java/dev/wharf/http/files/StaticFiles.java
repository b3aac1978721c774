package dev.wharf.http.files;

import dev.wharf.http.Headers;
import dev.wharf.http.MediaTypes;
import dev.wharf.http.fields.FieldValues;
import dev.wharf.http.server.LoopFirstHandler;
import dev.wharf.http.server.ServerRequest;
import dev.wharf.http.server.ServerResponse;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Serves the files below a root directory: GET and HEAD, an index.html or a listing for
 * directories, validators (ETag, Last-Modified) with 304, byte ranges (206, 416), and
 * pre-compressed {@code .br}/{@code .gz} siblings. Nothing outside the root is ever served.
 *
 * <p>It touches the file system, so register it as a blocking route (it runs on virtual threads).
 * With {@link Caching} on, it keeps what it found out about a path for a short time, as nginx's
 * {@code open_file_cache} does, and answers a small file it holds in memory on the event loop
 * ({@link LoopFirstHandler}): no thread hand-off, no system call but the socket's. Thread-safe.
 */
public final class StaticFiles implements LoopFirstHandler {

  /**
   * What a static server shows.
   *
   * @param listings list directories without an index.html
   * @param showHidden serve and list names starting with a dot
   * @param followSymlinks follow symbolic links that lead out of the root
   * @param uploadForm put a file-upload form on listings (for a server with {@link Uploads})
   */
  public record Options(
      boolean listings, boolean showHidden, boolean followSymlinks, boolean uploadForm) {
    public static final Options DEFAULTS = new Options(true, false, false, false);

    public Options(boolean listings, boolean showHidden, boolean followSymlinks) {
      this(listings, showHidden, followSymlinks, false);
    }
  }

  /**
   * What a static server keeps of the files it served (nginx's {@code open_file_cache}): for each
   * request path that led to a regular file, the file found, its validators and type, and the bytes
   * of a small one. A change on disk (new content, a deletion, a link put in its place) is seen
   * after at most {@code ttl}; what an entry skips are the checks that let the file in, so nothing
   * outside the root is served from it either.
   *
   * @param ttl how long an entry is used before the file is looked at again; zero turns caching off
   * @param maxEntries how many paths are kept at most
   * @param maxBodyBytes how many bytes of file bodies are kept at most, all files together
   * @param maxFileBytes the largest file kept in memory; a larger one goes out from disk (sendfile)
   */
  public record Caching(Duration ttl, int maxEntries, long maxBodyBytes, int maxFileBytes) {
    /** Nothing kept: every request looks at the file system. */
    public static final Caching OFF = new Caching(Duration.ZERO, 0, 0, 0);

    /** Two seconds, 10,000 paths, 32 MiB of bodies, files up to 16 KiB in memory. */
    public static final Caching DEFAULTS =
        new Caching(Duration.ofSeconds(2), 10_000, 32L << 20, 16 << 10);

    public Caching {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || maxEntries < 0 || maxBodyBytes < 0 || maxFileBytes < 0) {
        throw new IllegalArgumentException("caching limits must not be negative");
      }
    }

    /** These limits with another time to live. */
    public Caching withTtl(Duration value) {
      return new Caching(value, maxEntries, maxBodyBytes, maxFileBytes);
    }

    boolean isOn() {
      return ttl.isPositive() && maxEntries > 0;
    }
  }

  private final Path root;
  private final Path realRoot;
  private final Options options;

  /** What is known of paths served lately; null when caching is off. */
  private final FileCache cache;

  /** Serves {@code root} with nothing cached: each request looks at the file system. */
  public StaticFiles(Path root, Options options) throws IOException {
    this(root, options, Caching.OFF);
  }

  public StaticFiles(Path root, Options options, Caching caching) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.realRoot = this.root.toRealPath();
    if (!Files.isDirectory(realRoot)) {
      throw new NoSuchFileException(root + " is not a directory");
    }
    this.options = options;
    this.cache = caching.isOn() ? new FileCache(caching, System::nanoTime) : null;
  }

  /**
   * Forgets what is cached, for a change made through the server (an upload): the next request sees
   * the file system as it is now.
   */
  public void forgetCached() {
    if (cache != null) {
      cache.clear();
    }
  }

  /**
   * Answers a GET or HEAD of a small file held in memory, on the loop; anything else (a file not
   * known or sent from disk, a range request, whose multipart answer may want the disk) declines.
   */
  @Override
  public boolean handleWithoutBlocking(ServerRequest request, ServerResponse response)
      throws IOException {
    if (cache == null) {
      return false;
    }
    FileCache.Entry known = cache.find(request.path());
    if (known == null || !known.file().inMemory() || request.header("Range").isPresent()) {
      return false;
    }
    response.header("X-Content-Type-Options", "nosniff");
    serve(request, response, known.file(), known.type());
    return true;
  }

  public Path root() {
    return root;
  }

  @Override
  public void handle(ServerRequest request, ServerResponse response) throws IOException {
    // Browsers must take a file for what its type says, not guess from its bytes: a text file
    // that looks like HTML must not run as a page (nginx's hardening guides send it everywhere).
    response.header("X-Content-Type-Options", "nosniff");
    if (cache != null && serveKnown(request, response)) {
      return;
    }
    Optional<List<String>> segments = SafePaths.segments(request.path());
    if (segments.isEmpty()) {
      response.sendError(403, "forbidden path");
      return;
    }
    if (segments.get().stream().anyMatch(this::hides)) {
      response.sendError(404, "not found");
      return;
    }
    Path file = root;
    try {
      for (String segment : segments.get()) {
        file = FileNames.resolve(file, segment);
      }
    } catch (InvalidPathException unmappable) {
      // A name this platform cannot make into a file name: no such file, never a 500.
      response.sendError(404, "not found");
      return;
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
      response.sendError(404, "not found");
      return;
    }
    switch (check(file)) {
      case OUTSIDE -> {
        response.sendError(403, "forbidden: the path leads out of the served directory");
        return;
      }
      case HIDDEN -> {
        response.sendError(404, "not found");
        return;
      }
      case SERVABLE -> {}
    }
    if (Files.isDirectory(file)) {
      if (!request.path().endsWith("/")) {
        // As every static server does: directory links are relative to the directory itself.
        // Slashes collapsed: "//evil.example/" would be a link to another host.
        response
            .status(301)
            .header(
                "Location",
                SafePaths.collapseSlashes(request.path())
                    + "/"
                    + request.query().map(q -> "?" + q).orElse(""));
        response.send(new byte[0]);
        return;
      }
      Path index = file.resolve("index.html");
      if (Files.isRegularFile(index) && check(index) == Place.SERVABLE) {
        serveRegular(request, response, index);
      } else if (options.listings()) {
        DirectoryListing.send(request, response, file, options.showHidden(), options.uploadForm());
      } else {
        response.sendError(403, "directory listing is off");
      }
      return;
    }
    if (request.path().endsWith("/")) {
      // A file is no directory: "/file.txt/" names nothing (as python and nginx answer).
      response.sendError(404, "not found");
      return;
    }
    if (!Files.isRegularFile(file)) {
      response.sendError(403, "not a regular file");
      return;
    }
    serveRegular(request, response, file);
  }

  /**
   * Serves what the cache knows of the request's path, if it knows it: from memory, or from the
   * file when it is still the one checked (the same file system object; a link put in its place
   * since is not). Returns false when the path must be looked at afresh.
   */
  private boolean serveKnown(ServerRequest request, ServerResponse response) throws IOException {
    FileCache.Entry known = cache.find(request.path());
    if (known == null) {
      return false;
    }
    Representation file = known.file();
    if (!file.inMemory()) {
      Representation now;
      try {
        now = Representation.of(file.path(), Optional.empty());
      } catch (IOException gone) {
        return false;
      }
      if (now.fileKey() == null || !now.fileKey().equals(file.fileKey())) {
        return false;
      }
      file = now; // The same file, with its size and time as they are now.
    }
    serve(request, response, file, known.type());
    return true;
  }

  /**
   * Serves a regular file the checks let through, and remembers it for its path when caching is on
   * and it has no pre-compressed sibling (whose choice depends on each request's Accept-Encoding).
   */
  private void serveRegular(ServerRequest request, ServerResponse response, Path file)
      throws IOException {
    if (cache != null && !hasPrecompressedSibling(file)) {
      Optional<Representation> read;
      try {
        read = Representation.read(file, cache.maxFileBytes());
        if (read.isEmpty() && Files.size(file) > cache.maxFileBytes()) {
          read = Optional.of(Representation.of(file, Optional.empty()));
        }
      } catch (IOException e) {
        read = Optional.empty(); // Served (or refused) below as without a cache.
      }
      if (read.isPresent() && (read.get().inMemory() || read.get().fileKey() != null)) {
        var entry =
            new FileCache.Entry(
                read.get(), MediaTypes.forName(file.getFileName().toString()), cache.expiry());
        cache.put(request.path(), entry);
        serve(request, response, entry.file(), entry.type());
        return;
      }
    }
    serveFile(request, response, file);
  }

  private static boolean hasPrecompressedSibling(Path file) {
    try {
      String name = FileNames.name(file);
      return Files.exists(FileNames.resolve(file.getParent(), name + ".br"))
          || Files.exists(FileNames.resolve(file.getParent(), name + ".gz"));
    } catch (InvalidPathException e) {
      return true; // Not known to have none: not cached.
    }
  }

  /** Whether a name is kept from clients: a dot name, unless asked, and a partial upload. */
  private boolean hides(String name) {
    return Uploads.isPartial(name) || (!options.showHidden() && name.startsWith("."));
  }

  /** Where an existing path leads, once its links are followed. */
  private enum Place {
    SERVABLE,
    OUTSIDE,
    HIDDEN
  }

  /**
   * Follows {@code file}'s links (one realpath, and only when an option needs it): out of the root
   * is forbidden unless links may lead out, and a link named {@code notes.txt} that points to
   * {@code .env} shows no more than {@code .env} does.
   */
  private Place check(Path file) throws IOException {
    if (options.followSymlinks() && options.showHidden()) {
      return Place.SERVABLE;
    }
    Path real;
    try {
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      return options.followSymlinks() ? Place.SERVABLE : Place.OUTSIDE; // A dangling link.
    }
    boolean inside = real.startsWith(realRoot);
    if (!inside && !options.followSymlinks()) {
      return Place.OUTSIDE;
    }
    if (!options.showHidden()) {
      for (Path name : inside ? realRoot.relativize(real) : real.getFileName()) {
        if (hides(name.toString())) {
          return Place.HIDDEN;
        }
      }
    }
    return Place.SERVABLE;
  }

  private void serveFile(ServerRequest request, ServerResponse response, Path file)
      throws IOException {
    Representation whole;
    try {
      whole = Representation.of(file, Optional.empty());
    } catch (IOException e) {
      response.sendError(404, "not found");
      return;
    }
    serve(request, response, whole, MediaTypes.forName(file.getFileName().toString()));
  }

  /**
   * Answers with {@code whole} or, for a client that takes it and asks no range, a pre-compressed
   * sibling: validators, conditions, ranges, then the bytes, from memory or from the file.
   */
  private void serve(
      ServerRequest request, ServerResponse response, Representation whole, String type)
      throws IOException {
    Path file = whole.path();
    Optional<String> range =
        request
            .header("Range")
            .filter(r -> Preconditions.ifRangeHolds(request, whole.etag(), whole.modified()));
    Representation chosen = whole;
    if (range.isEmpty() && !whole.inMemory()) {
      Optional<Representation> compressed = precompressed(request, file);
      if (compressed.isPresent()) {
        chosen = compressed.get();
      }
    }
    response.header("ETag", chosen.etag());
    response.header("Last-Modified", chosen.lastModified());
    response.header("Accept-Ranges", "bytes");
    response.header("Vary", "Accept-Encoding");
    switch (Preconditions.evaluate(request, chosen.etag(), chosen.modified())) {
      case NOT_MODIFIED -> {
        response.status(304).send(new byte[0]);
        return;
      }
      case FAILED -> {
        response.sendError(412, "the file is not the one the request's conditions name");
        return;
      }
      case PROCEED -> {}
    }
    long size = chosen.size();
    Optional<List<ByteRanges.Range>> ranges = range.flatMap(r -> ByteRanges.parse(r, size));
    if (ranges.isPresent() && ranges.get().isEmpty()) {
      response.header("Content-Range", "bytes */" + size);
      response.sendError(416, "range not satisfiable");
      return;
    }
    if (chosen.inMemory()) {
      sendFromMemory(response, chosen.body(), ranges, type);
      return;
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(chosen.path(), StandardOpenOption.READ);
    } catch (java.nio.file.AccessDeniedException e) {
      response.sendError(403, "permission denied");
      return;
    }
    if (ranges.isPresent() && ranges.get().size() > 1) {
      // The answer's one Content-Type is multipart/byteranges; each part carries the file's.
      MultipartRanges.send(response, channel, ranges.get(), size, type);
      return;
    }
    response.header("Content-Type", type);
    chosen.coding().ifPresent(coding -> response.header("Content-Encoding", coding));
    if (ranges.isEmpty()) {
      response.sendFile(channel, 0, size);
    } else {
      ByteRanges.Range only = ranges.get().getFirst();
      response.status(206);
      response.header("Content-Range", "bytes " + only.first() + "-" + only.last() + "/" + size);
      response.sendFile(channel, only.first(), only.length());
    }
  }

  /** Sends a body held in memory, whole or the ranges asked for: one write with its head. */
  private static void sendFromMemory(
      ServerResponse response, byte[] body, Optional<List<ByteRanges.Range>> ranges, String type) {
    if (ranges.isPresent() && ranges.get().size() > 1) {
      MultipartRanges.send(response, body, ranges.get(), type);
      return;
    }
    response.header("Content-Type", type);
    if (ranges.isEmpty()) {
      response.send(body);
    } else {
      ByteRanges.Range only = ranges.get().getFirst();
      response.status(206);
      response.header(
          "Content-Range", "bytes " + only.first() + "-" + only.last() + "/" + body.length);
      response.send(
          Arrays.copyOfRange(body, (int) only.first(), (int) (only.first() + only.length())));
    }
  }

  /** A {@code .br} or {@code .gz} sibling of {@code file} the client accepts, if there is one. */
  private Optional<Representation> precompressed(ServerRequest request, Path file) {
    Optional<String> accept = request.header("Accept-Encoding");
    if (accept.isEmpty()) {
      return Optional.empty();
    }
    Headers headers = request.headers();
    for (String[] candidate : new String[][] {{"br", ".br"}, {"gzip", ".gz"}}) {
      if (headers.hasToken("Accept-Encoding", candidate[0])
          || acceptsWithQuality(accept.get(), candidate[0])) {
        try {
          Path sibling = FileNames.resolve(file.getParent(), FileNames.name(file) + candidate[1]);
          if (Files.isRegularFile(sibling) && check(sibling) == Place.SERVABLE) {
            return Optional.of(Representation.of(sibling, Optional.of(candidate[0])));
          }
        } catch (IOException | InvalidPathException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * True for {@code br;q=0.8} and the like, false for {@code br;q=0} (RFC 9110 §12.5.3); an element
   * that does not parse is passed over.
   */
  private static boolean acceptsWithQuality(String header, String coding) {
    for (String raw : FieldValues.list(header)) {
      FieldValues.Element element;
      try {
        element = FieldValues.elements(raw).getFirst();
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (element.value().equalsIgnoreCase(coding)) {
        try {
          return element.parameter("q").map(Double::parseDouble).orElse(1.0) > 0;
        } catch (NumberFormatException e) {
          return false;
        }
      }
    }
    return false;
  }
}
