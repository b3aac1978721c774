package dev.wharf.http.files;

import dev.wharf.http.codec.HttpDate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One representation of a file (RFC 9110 §3.2): the file itself or a pre-compressed sibling, with
 * its validators, and its bytes when it was read into memory. Immutable (the body array is never
 * written once made); any thread.
 *
 * @param path the file
 * @param size its length in bytes
 * @param modified its modification time
 * @param etag its entity tag
 * @param lastModified {@code modified} as an HTTP date, made once
 * @param coding its content coding, for a pre-compressed sibling
 * @param body its bytes, or null when it is sent from the file
 * @param fileKey what identifies the file on its file system (device and inode), or null where the
 *     platform tells none: the same key later is the same file, whatever its path now leads to
 */
record Representation(
    Path path,
    long size,
    Instant modified,
    String etag,
    String lastModified,
    Optional<String> coding,
    byte[] body,
    Object fileKey) {

  /** The representation {@code path} is now, its bytes left on disk. */
  static Representation of(Path path, Optional<String> coding) throws IOException {
    return of(path, Files.readAttributes(path, BasicFileAttributes.class), coding);
  }

  private static Representation of(
      Path path, BasicFileAttributes attributes, Optional<String> coding) {
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
        path,
        size,
        attributes.lastModifiedTime().toInstant(),
        etag,
        HttpDate.of(millis),
        coding,
        null,
        attributes.fileKey());
  }

  /**
   * The file read whole into memory, with validators that match those bytes; empty if it changed
   * while being read (its size, time or identity differ before and after), is no longer a regular
   * file, or is larger than {@code maxBytes}.
   */
  static Optional<Representation> read(Path path, long maxBytes) throws IOException {
    var before = Files.readAttributes(path, BasicFileAttributes.class);
    if (!before.isRegularFile() || before.size() > maxBytes) {
      return Optional.empty();
    }
    byte[] body = new byte[(int) before.size()];
    try (var channel = FileChannel.open(path, StandardOpenOption.READ)) {
      var buffer = ByteBuffer.wrap(body);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          return Optional.empty(); // Shorter than it was: it is being written.
        }
      }
      if (channel.read(ByteBuffer.allocate(1)) >= 0) {
        return Optional.empty(); // Longer than it was.
      }
    }
    var after = Files.readAttributes(path, BasicFileAttributes.class);
    if (after.size() != before.size()
        || !after.lastModifiedTime().equals(before.lastModifiedTime())
        || !Objects.equals(after.fileKey(), before.fileKey())) {
      return Optional.empty();
    }
    Representation described = of(path, before, Optional.empty());
    return Optional.of(
        new Representation(
            path,
            described.size(),
            described.modified(),
            described.etag(),
            described.lastModified(),
            Optional.empty(),
            body,
            described.fileKey()));
  }

  /** Whether its bytes are in memory. */
  boolean inMemory() {
    return body != null;
  }
}
