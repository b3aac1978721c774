package dev.wharf.http.files;

import dev.wharf.http.Headers;
import dev.wharf.http.MediaTypes;
import dev.wharf.http.codec.HttpDate;
import dev.wharf.http.fields.FieldValues;
import dev.wharf.http.server.Handler;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Serves the files below a root directory: GET and HEAD, an index.html or a listing for
 * directories, validators (ETag, Last-Modified) with 304, byte ranges (206, 416), and
 * pre-compressed {@code .br}/{@code .gz} siblings. Nothing outside the root is ever served.
 *
 * <p>It touches the file system, so register it as a blocking route (it runs on virtual threads).
 * Thread-safe.
 */
public final class StaticFiles implements Handler {

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

  private final Path root;
  private final Path realRoot;
  private final Options options;

  public StaticFiles(Path root, Options options) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.realRoot = this.root.toRealPath();
    if (!Files.isDirectory(realRoot)) {
      throw new NoSuchFileException(root + " is not a directory");
    }
    this.options = options;
  }

  public Path root() {
    return root;
  }

  @Override
  public void handle(ServerRequest request, ServerResponse response) throws IOException {
    // Browsers must take a file for what its type says, not guess from its bytes: a text file
    // that looks like HTML must not run as a page (nginx's hardening guides send it everywhere).
    response.header("X-Content-Type-Options", "nosniff");
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
        serveFile(request, response, index);
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
    serveFile(request, response, file);
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

  /** One representation of a file: the file itself, or a pre-compressed sibling. */
  private record Representation(
      Path path, long size, Instant modified, String etag, Optional<String> coding) {

    static Representation of(Path path, Optional<String> coding) throws IOException {
      var attributes = Files.readAttributes(path, BasicFileAttributes.class);
      long size = attributes.size();
      long millis = attributes.lastModifiedTime().toMillis();
      // RFC 9110 §8.8.3: representations with different content codings need different tags.
      String etag =
          "\""
              + Long.toHexString(size)
              + "-"
              + Long.toHexString(millis)
              + coding.map(c -> "-" + c).orElse("")
              + "\"";
      return new Representation(
          path, size, attributes.lastModifiedTime().toInstant(), etag, coding);
    }
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
    Optional<String> range =
        request
            .header("Range")
            .filter(r -> Preconditions.ifRangeHolds(request, whole.etag(), whole.modified()));
    Representation chosen = whole;
    if (range.isEmpty()) {
      Optional<Representation> compressed = precompressed(request, file);
      if (compressed.isPresent()) {
        chosen = compressed.get();
      }
    }
    response.header("ETag", chosen.etag());
    response.header("Last-Modified", HttpDate.of(chosen.modified().toEpochMilli()));
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
    String type = MediaTypes.forName(file.getFileName().toString());
    long size = chosen.size();
    Optional<List<ByteRanges.Range>> ranges = range.flatMap(r -> ByteRanges.parse(r, size));
    if (ranges.isPresent() && ranges.get().isEmpty()) {
      response.header("Content-Range", "bytes */" + size);
      response.sendError(416, "range not satisfiable");
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
