package dev.wharf.http;

import dev.wharf.http.codec.HttpDate;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
  public void handle(Request request, Response response) throws IOException {
    Optional<List<String>> segments = SafePaths.segments(request.path());
    if (segments.isEmpty()) {
      response.sendError(403, "forbidden path");
      return;
    }
    if (!options.showHidden() && segments.get().stream().anyMatch(s -> s.startsWith("."))) {
      response.sendError(404, "not found");
      return;
    }
    Path file = root;
    for (String segment : segments.get()) {
      file = file.resolve(segment);
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
      response.sendError(404, "not found");
      return;
    }
    if (!options.followSymlinks() && !insideRoot(file)) {
      response.sendError(403, "forbidden: the path leads out of the served directory");
      return;
    }
    if (Files.isDirectory(file)) {
      if (!request.path().endsWith("/")) {
        // As every static server does: directory links are relative to the directory itself.
        response
            .status(301)
            .header(
                "Location", request.path() + "/" + request.query().map(q -> "?" + q).orElse(""));
        response.send(new byte[0]);
        return;
      }
      Path index = file.resolve("index.html");
      if (Files.isRegularFile(index) && (options.followSymlinks() || insideRoot(index))) {
        serveFile(request, response, index);
      } else if (options.listings()) {
        DirectoryListing.send(request, response, file, options.showHidden(), options.uploadForm());
      } else {
        response.sendError(403, "directory listing is off");
      }
      return;
    }
    if (!Files.isRegularFile(file)) {
      response.sendError(403, "not a regular file");
      return;
    }
    serveFile(request, response, file);
  }

  private boolean insideRoot(Path file) throws IOException {
    try {
      return file.toRealPath().startsWith(realRoot);
    } catch (NoSuchFileException e) {
      return false; // A dangling link.
    }
  }

  private void serveFile(Request request, Response response, Path file) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      response.sendError(404, "not found");
      return;
    }
    long size = attributes.size();
    Instant modified = attributes.lastModifiedTime().toInstant();
    String etag =
        "\""
            + Long.toHexString(size)
            + "-"
            + Long.toHexString(attributes.lastModifiedTime().toMillis())
            + "\"";
    response.header("ETag", etag);
    response.header("Last-Modified", HttpDate.of(modified.toEpochMilli()));
    response.header("Accept-Ranges", "bytes");
    response.header("Vary", "Accept-Encoding");
    if (notModified(request, etag, modified)) {
      response.status(304).send(new byte[0]);
      return;
    }
    String type = MediaTypes.forName(file.getFileName().toString());
    Optional<String> range =
        request.header("Range").filter(r -> ifRangeHolds(request, etag, modified));
    if (range.isEmpty()) {
      Optional<Path> compressed = precompressed(request, file);
      if (compressed.isPresent()) {
        Path sibling = compressed.get();
        response.header("Content-Type", type);
        response.header("Content-Encoding", sibling.toString().endsWith(".br") ? "br" : "gzip");
        FileChannel channel = FileChannel.open(sibling, StandardOpenOption.READ);
        response.sendFile(channel, 0, channel.size());
        return;
      }
    }
    Optional<List<ByteRanges.Range>> ranges = range.flatMap(r -> ByteRanges.parse(r, size));
    if (ranges.isPresent() && ranges.get().isEmpty()) {
      response.header("Content-Range", "bytes */" + size);
      response.sendError(416, "range not satisfiable");
      return;
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (java.nio.file.AccessDeniedException e) {
      response.sendError(403, "permission denied");
      return;
    }
    if (ranges.isEmpty()) {
      response.header("Content-Type", type);
      response.sendFile(channel, 0, size);
    } else if (ranges.get().size() == 1) {
      ByteRanges.Range only = ranges.get().getFirst();
      response.status(206);
      response.header("Content-Type", type);
      response.header("Content-Range", "bytes " + only.first() + "-" + only.last() + "/" + size);
      response.sendFile(channel, only.first(), only.length());
    } else {
      channel.close();
      sendMultipart(response, file, ranges.get(), size, type);
    }
  }

  /** RFC 9110 §14.6: several ranges go as multipart/byteranges. */
  private static void sendMultipart(
      Response response, Path file, List<ByteRanges.Range> ranges, long size, String type)
      throws IOException {
    String boundary = "wharf-" + Long.toHexString(System.nanoTime());
    var heads = new ArrayList<byte[]>();
    long total = 0;
    for (ByteRanges.Range part : ranges) {
      byte[] head =
          ("\r\n--"
                  + boundary
                  + "\r\nContent-Type: "
                  + type
                  + "\r\nContent-Range: bytes "
                  + part.first()
                  + "-"
                  + part.last()
                  + "/"
                  + size
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      heads.add(head);
      total += head.length + part.length();
    }
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    total += tail.length;
    response.status(206);
    response.header("Content-Type", "multipart/byteranges; boundary=" + boundary);
    response.header("Content-Length", Long.toString(total));
    for (int i = 0; i < ranges.size(); i++) {
      response.write(java.nio.ByteBuffer.wrap(heads.get(i)));
      // Each region needs a channel of its own: the connection closes it once sent.
      response.writeFile(
          FileChannel.open(file, StandardOpenOption.READ),
          ranges.get(i).first(),
          ranges.get(i).length());
    }
    response.write(java.nio.ByteBuffer.wrap(tail));
    response.end();
  }

  private static boolean notModified(Request request, String etag, Instant modified) {
    Optional<String> ifNoneMatch = request.header("If-None-Match");
    if (ifNoneMatch.isPresent()) {
      // RFC 9110 §13.1.2: weak comparison; If-Modified-Since is then ignored.
      for (String candidate : ifNoneMatch.get().split(",")) {
        String tag = candidate.trim();
        if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
          return true;
        }
      }
      return false;
    }
    return request
        .header("If-Modified-Since")
        .flatMap(HttpDate::parse)
        .map(since -> modified.getEpochSecond() <= since.getEpochSecond())
        .orElse(false);
  }

  /** RFC 9110 §13.1.5: a Range applies only if the representation is the one the client has. */
  private static boolean ifRangeHolds(Request request, String etag, Instant modified) {
    Optional<String> ifRange = request.header("If-Range");
    if (ifRange.isEmpty()) {
      return true;
    }
    String value = ifRange.get().trim();
    if (value.startsWith("\"")) {
      return value.equals(etag);
    }
    return HttpDate.parse(value)
        .map(date -> date.getEpochSecond() == modified.getEpochSecond())
        .orElse(false);
  }

  private Optional<Path> precompressed(Request request, Path file) {
    Optional<String> accept = request.header("Accept-Encoding");
    if (accept.isEmpty()) {
      return Optional.empty();
    }
    Headers headers = request.headers();
    for (String[] candidate : new String[][] {{"br", ".br"}, {"gzip", ".gz"}}) {
      if (headers.hasToken("Accept-Encoding", candidate[0])
          || acceptsWithQuality(accept.get(), candidate[0])) {
        Path sibling = file.resolveSibling(file.getFileName() + candidate[1]);
        try {
          if (Files.isRegularFile(sibling) && (options.followSymlinks() || insideRoot(sibling))) {
            return Optional.of(sibling);
          }
        } catch (IOException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** True for {@code br;q=0.8} and the like, false for {@code br;q=0}. */
  private static boolean acceptsWithQuality(String header, String coding) {
    for (String part : header.split(",")) {
      String[] pieces = part.trim().split(";");
      if (pieces[0].trim().equalsIgnoreCase(coding)) {
        for (int i = 1; i < pieces.length; i++) {
          String p = pieces[i].trim();
          if (p.startsWith("q=")) {
            try {
              return Double.parseDouble(p.substring(2)) > 0;
            } catch (NumberFormatException e) {
              return false;
            }
          }
        }
        return true;
      }
    }
    return false;
  }

  static Comparator<Path> byName() {
    return Comparator.comparing(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT));
  }
}
