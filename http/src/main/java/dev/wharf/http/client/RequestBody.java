package dev.wharf.http.client;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a request sends as its content: bytes in memory, a file sent from disk as it lies there
 * (sendfile), or a channel read as it is sent. Only the first is held in memory; the others are
 * sent in constant memory however large they are. Immutable.
 */
public sealed interface RequestBody
    permits RequestBody.Bytes, RequestBody.FileContent, RequestBody.Streamed {

  /** No content. */
  RequestBody EMPTY = new Bytes(new byte[0]);

  /** The length sent as Content-Length, or -1 when unknown (the body then goes chunked). */
  long length();

  static RequestBody of(byte[] bytes) {
    return new Bytes(bytes);
  }

  /** A file's bytes, with its present size as the length. */
  static RequestBody ofFile(Path path) throws IOException {
    return new FileContent(path, Files.size(path));
  }

  /** Bytes in memory. */
  record Bytes(byte[] bytes) implements RequestBody {
    public Bytes {
      Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public long length() {
      return bytes.length;
    }
  }

  /** {@code length} bytes of a file from its start, sent with the connection's writeFile. */
  record FileContent(Path path, long length) implements RequestBody {
    public FileContent {
      Objects.requireNonNull(path, "path");
      if (length < 0) {
        throw new IllegalArgumentException("negative file length: " + length);
      }
    }
  }

  /**
   * Bytes read from a channel as the connection takes them, so a slow peer slows the reading.
   *
   * @param length exactly how many bytes the channel yields, or -1 for unknown (chunked)
   * @param source opens the channel; called once per send (a redirect that keeps the body sends
   *     again)
   */
  record Streamed(long length, Source source) implements RequestBody {
    public Streamed {
      Objects.requireNonNull(source, "source");
      if (length < -1) {
        throw new IllegalArgumentException("length is -1 or more, got " + length);
      }
    }
  }

  /** Opens the channel a {@link Streamed} body is read from. */
  @FunctionalInterface
  interface Source {
    ReadableByteChannel open() throws IOException;
  }
}
