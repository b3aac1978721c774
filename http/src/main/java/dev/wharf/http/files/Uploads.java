package dev.wharf.http.files;

import dev.wharf.http.codec.MultipartReader;
import dev.wharf.http.server.Handler;
import dev.wharf.http.server.HttpServer;
import dev.wharf.http.server.ServerRequest;
import dev.wharf.http.server.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Receives files into a served directory: {@code PUT /dir/name} with the file as the body, or
 * {@code POST /dir/} with a {@code multipart/form-data} form (what a browser's file input sends).
 * Mount it on a {@linkplain HttpServer.Builder#routeStreaming streaming route}, so files of any
 * size go to disk as they arrive.
 *
 * <p>Safe by default: only into existing directories under the root (never through a link that
 * leads out), no names starting with a dot, and no file replaced unless {@link
 * Options#overwrite()}. A file appears whole or not at all: it is written beside its target under a
 * hidden temporary name and moved into place once complete.
 */
public final class Uploads implements Handler {

  /**
   * @param overwrite replace existing files (else 409 Conflict)
   * @param allowHidden accept names starting with a dot (else 403)
   */
  public record Options(boolean overwrite, boolean allowHidden) {
    public static final Options DEFAULTS = new Options(false, false);
  }

  /** What a temporary file's name starts and ends with. */
  private static final String PART_PREFIX = ".wharf-upload-";

  private static final String PART_SUFFIX = ".part";

  /**
   * A temporary file this old is left over from a crash: one being written is modified as its bytes
   * arrive (at the least at the server's minimum body rate).
   */
  static final Duration STALE_PART_AGE = Duration.ofMinutes(10);

  /** The longest file name most file systems take, in bytes. */
  private static final int MAX_NAME_BYTES = 255;

  private final Path root;
  private final Path realRoot;
  private final Options options;

  /** Told when a file was put in place, before the answer goes out (a cache to empty). */
  private final Runnable stored;

  public Uploads(Path root, Options options) throws IOException {
    this(root, options, () -> {});
  }

  /**
   * Uploads that call {@code stored} each time a file is put in place, before the client hears of
   * it: a {@link StaticFiles#forgetCached()} there makes the next GET see the new file.
   */
  public Uploads(Path root, Options options, Runnable stored) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.realRoot = this.root.toRealPath();
    this.options = options;
    this.stored = java.util.Objects.requireNonNull(stored, "stored");
  }

  @Override
  public void handle(ServerRequest request, ServerResponse response) throws IOException {
    switch (request.method()) {
      case "PUT" -> put(request, response);
      case "POST" -> post(request, response);
      default -> {
        response.header("Allow", "PUT, POST");
        response.sendError(405, "uploads take PUT or POST");
      }
    }
  }

  // ---- PUT /dir/name ----

  private void put(ServerRequest request, ServerResponse response) throws IOException {
    Optional<List<String>> segments = SafePaths.segments(request.path());
    if (segments.isEmpty()) {
      response.sendError(403, "forbidden path");
      return;
    }
    List<String> path = segments.get();
    if (path.isEmpty() || request.path().endsWith("/")) {
      response.sendError(400, "PUT needs a file name, not a directory");
      return;
    }
    Optional<String> refusal = refuseName(path);
    if (refusal.isPresent()) {
      response.sendError(403, refusal.get());
      return;
    }
    Path directory = resolve(path.subList(0, path.size() - 1));
    if (!isDirectoryInsideRoot(directory)) {
      response.sendError(409, "no directory to put " + last(path) + " into");
      return;
    }
    Path target = FileNames.resolve(directory, last(path));
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      response.sendError(409, "a directory of that name exists");
      return;
    }
    boolean existed = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    if (existed && !options.overwrite()) {
      response.sendError(409, last(path) + " already exists, and uploads do not overwrite");
      return;
    }
    Saved saved;
    try (InputStream body = request.bodyStream()) {
      saved = save(body, directory, last(path));
    } catch (DiskFullException e) {
      response.sendError(507, "no space left for " + last(path));
      return;
    } catch (OutOfDescriptorsException e) {
      busy(response);
      return;
    }
    if (saved == null) {
      response.sendError(409, last(path) + " already exists, and uploads do not overwrite");
      return;
    }
    response.header("Location", SafePaths.collapseSlashes(request.path()));
    response.status(existed ? 200 : 201);
    response.send(
        (existed ? "replaced " : "created ") + request.path() + " (" + saved.bytes() + " bytes)\n");
  }

  // ---- POST /dir/ with multipart/form-data ----

  private void post(ServerRequest request, ServerResponse response) throws IOException {
    Optional<List<String>> segments = SafePaths.segments(request.path());
    if (segments.isEmpty() || refuseName(segments.get()).isPresent()) {
      response.sendError(403, "forbidden path");
      return;
    }
    Path directory = resolve(segments.get());
    if (!isDirectoryInsideRoot(directory)) {
      response.sendError(404, "no such directory");
      return;
    }
    Optional<String> boundary = request.header("Content-Type").flatMap(MultipartReader::boundary);
    if (boundary.isEmpty()) {
      response.sendError(415, "POST a multipart/form-data form with files");
      return;
    }
    var saved = new ArrayList<String>();
    var refused = new ArrayList<String>();
    try (InputStream body = request.bodyStream()) {
      var parts = new MultipartReader(body, boundary.get());
      for (var part = parts.next(); part.isPresent(); part = parts.next()) {
        Optional<String> filename = part.get().filename();
        if (filename.isEmpty() || filename.get().isEmpty()) {
          continue; // A plain form field, or a file input left empty.
        }
        String name = baseName(filename.get());
        Optional<String> refusal = refuseName(List.of(name));
        if (refusal.isPresent()) {
          refused.add(filename.get() + ": " + refusal.get());
          continue;
        }
        Path target = FileNames.resolve(directory, name);
        if (!options.overwrite() && Files.exists(target, LinkOption.NOFOLLOW_LINKS)
            || Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          refused.add(name + ": already exists");
          continue;
        }
        Saved file = save(part.get().content(), directory, name);
        if (file == null) {
          refused.add(name + ": already exists");
        } else {
          saved.add(name + " (" + file.bytes() + " bytes)");
        }
      }
    } catch (MultipartReader.MalformedMultipartException e) {
      response.sendError(400, "malformed form: " + e.getMessage());
      return;
    } catch (DiskFullException e) {
      response.sendError(507, "no space left; saved before that: " + String.join(", ", saved));
      return;
    } catch (OutOfDescriptorsException e) {
      busy(response);
      return;
    }
    if (saved.isEmpty() && refused.isEmpty()) {
      response.sendError(400, "the form has no file");
      return;
    }
    if (refused.isEmpty()
        && request.header("Accept").map(a -> a.contains("text/html")).orElse(false)) {
      // A browser's form: back to the listing, which now shows the files.
      // Slashes collapsed: "//evil.example/" would send the browser to another host.
      response
          .status(303)
          .header("Location", SafePaths.collapseSlashes(request.path()))
          .send(new byte[0]);
      return;
    }
    var report = new StringBuilder();
    saved.forEach(line -> report.append("saved ").append(line).append('\n'));
    refused.forEach(line -> report.append("refused ").append(line).append('\n'));
    response.status(refused.isEmpty() ? 201 : 409).send(report.toString());
  }

  // ---- writing ----

  private record Saved(long bytes) {}

  /** How long a client refused for want of descriptors is asked to wait (RFC 9110 §10.2.3). */
  private static final String RETRY_AFTER_SECONDS = "5";

  /** The process is out of file descriptors: the server's state, not the client's fault. */
  private static void busy(ServerResponse response) throws IOException {
    response.header("Retry-After", RETRY_AFTER_SECONDS);
    response.sendError(503, "server out of open files for uploads; retry later");
  }

  /** Thrown when the process may open no more files (EMFILE), so the client gets 503. */
  private static final class OutOfDescriptorsException extends IOException {
    private static final long serialVersionUID = 1L;

    OutOfDescriptorsException(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The exception to throw for {@code e}: the kinds the client is answered for, else itself. */
  private static IOException classify(IOException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("No space left")) {
      return new DiskFullException(e);
    }
    if (message.contains("Too many open files")) {
      return new OutOfDescriptorsException(e);
    }
    return e;
  }

  /** Thrown when the file system is full, so the client gets 507. */
  private static final class DiskFullException extends IOException {
    private static final long serialVersionUID = 1L;

    DiskFullException(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * Writes {@code content} under a temporary name in {@code directory}, then moves it to {@code
   * name}; null if the name was taken meanwhile and overwriting is off. The temporary file never
   * outlives a failure.
   */
  private Saved save(InputStream content, Path directory, String name) throws IOException {
    Path temp;
    try {
      temp = Files.createTempFile(directory, PART_PREFIX, PART_SUFFIX);
    } catch (IOException e) {
      throw classify(e);
    }
    try {
      long bytes;
      try (OutputStream out = new PartFile(temp)) {
        bytes = content.transferTo(out);
      }
      setReadableByAll(temp);
      Path target = FileNames.resolve(directory, name);
      if (options.overwrite()) {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        try {
          Files.createLink(target, temp); // link(2) fails if the name exists: no race.
        } catch (FileAlreadyExistsException e) {
          return null;
        }
      }
      stored.run();
      return new Saved(bytes);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * An upload's temporary file, open only while bytes are written to it: {@link #flush} lets the
   * descriptor go until the next write. A streamed body flushes before it waits for the client
   * ({@link dev.wharf.core.Pipe#transferTo}), so thousands of stalled uploads hold no descriptor (a
   * socket each is enough) and no buffer: the body's chunks are written as they came.
   */
  private static final class PartFile extends OutputStream {
    private final Path path;
    private FileChannel channel;

    PartFile(Path path) {
      this.path = path;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      ByteBuffer chunk = ByteBuffer.wrap(bytes, offset, length);
      try {
        if (channel == null) {
          channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        while (chunk.hasRemaining()) {
          channel.write(chunk);
        }
      } catch (IOException e) {
        throw classify(e);
      }
    }

    /** Everything written is in the file; the descriptor is closed until the next write. */
    @Override
    public void flush() throws IOException {
      if (channel != null) {
        FileChannel open = channel;
        channel = null;
        open.close();
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  /** Temporary files are private (0600); an uploaded file is as readable as a copied one. */
  private static void setReadableByAll(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the default ACL stands.
    }
  }

  // ---- partial uploads ----

  /** Whether {@code name} is an upload's temporary file: never listed or served. */
  static boolean isPartial(String name) {
    return name.startsWith(PART_PREFIX) && name.endsWith(PART_SUFFIX);
  }

  /**
   * Deletes the temporary files a crash left below the root: those last modified more than {@link
   * #STALE_PART_AGE} ago, so that the uploads of a server still running on the same directory go
   * on. Links are not followed. Walks the whole tree: call it once, at start, off the loop.
   *
   * @return how many were deleted
   */
  public int removeStaleParts() throws IOException {
    FileTime before = FileTime.from(Instant.now().minus(STALE_PART_AGE));
    var removed = new int[1];
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            if (attributes.isRegularFile()
                && isPartial(file.getFileName().toString())
                && attributes.lastModifiedTime().compareTo(before) < 0
                && Files.deleteIfExists(file)) {
              removed[0]++;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // Unreadable: nothing of ours can be in there.
          }
        });
    return removed[0];
  }

  // ---- names and places ----

  private Optional<String> refuseName(List<String> segments) {
    for (String segment : segments) {
      if (!options.allowHidden() && segment.startsWith(".")) {
        return Optional.of("names starting with a dot are refused");
      }
      if (isPartial(segment)) {
        return Optional.of("the name of an upload's temporary file");
      }
      if (segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        return Optional.of("name longer than " + MAX_NAME_BYTES + " bytes");
      }
      if (segment.equals(".")
          || segment.equals("..")
          || segment.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '/' || c == '\\')) {
        return Optional.of("invalid name");
      }
    }
    return Optional.empty();
  }

  /** Browsers send a bare name; old ones sent a whole client path ({@code C:\dir\name}). */
  private static String baseName(String filename) {
    int cut = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
    return filename.substring(cut + 1);
  }

  private Path resolve(List<String> segments) {
    Path path = root;
    for (String segment : segments) {
      path = FileNames.resolve(path, segment);
    }
    return path;
  }

  /** Links are followed only if they stay inside the root: uploads never write outside it. */
  private boolean isDirectoryInsideRoot(Path directory) throws IOException {
    try {
      return Files.isDirectory(directory) && directory.toRealPath().startsWith(realRoot);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static String last(List<String> path) {
    return path.get(path.size() - 1);
  }
}
