package dev.wharf.cli.get;

import dev.wharf.http.client.RequestBody;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What curl's body options mean, as a {@link RequestBody} that is never read whole into memory:
 * {@code -d @FILE} without its CR and LF bytes, {@code --data-binary @FILE} and {@code -T FILE} as
 * they are, {@code @-} (or {@code -T -}) from stdin, chunked; anything else is the text itself.
 */
final class UploadBody {
  private UploadBody() {}

  /** {@code -d}: curl strips carriage returns and newlines from a file's content. */
  static RequestBody data(String argument) throws IOException {
    if (!argument.startsWith("@")) {
      return literal(argument);
    }
    String name = argument.substring(1);
    if (name.equals("-")) {
      return new RequestBody.Streamed(-1, () -> new WithoutLineBreaks(stdin()));
    }
    Path file = Path.of(name);
    long length = lengthWithoutLineBreaks(file);
    return new RequestBody.Streamed(length, () -> new WithoutLineBreaks(FileChannel.open(file)));
  }

  /** {@code --data-binary} and {@code --json}: a file's bytes as they are. */
  static RequestBody binary(String argument) throws IOException {
    return argument.startsWith("@") ? file(argument.substring(1)) : literal(argument);
  }

  /** {@code -T}: a file's bytes, or stdin for {@code -}. */
  static RequestBody file(String name) throws IOException {
    return name.equals("-")
        ? new RequestBody.Streamed(-1, UploadBody::stdin)
        : RequestBody.ofFile(Path.of(name));
  }

  static RequestBody literal(String text) {
    return RequestBody.of(text.getBytes(StandardCharsets.UTF_8));
  }

  private static ReadableByteChannel stdin() {
    // Not System.in: its buffer would keep bytes from a second reader, and there is no second.
    return Channels.newChannel(new FileInputStream(FileDescriptor.in));
  }

  private static long lengthWithoutLineBreaks(Path file) throws IOException {
    long length = 0;
    try (var channel = new WithoutLineBreaks(FileChannel.open(file))) {
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      for (int n; (n = channel.read(buffer)) >= 0; buffer.clear()) {
        length += n;
      }
    }
    return length;
  }

  /** A channel that drops every CR and LF byte of another. */
  private static final class WithoutLineBreaks implements ReadableByteChannel {
    private final ReadableByteChannel in;

    WithoutLineBreaks(ReadableByteChannel in) {
      this.in = in;
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
      int start = target.position();
      while (target.position() == start) {
        int n = in.read(target);
        if (n < 0) {
          return -1;
        }
        int write = start;
        for (int i = start; i < target.position(); i++) {
          byte b = target.get(i);
          if (b != '\r' && b != '\n') {
            target.put(write++, b);
          }
        }
        target.position(write);
        if (n == 0) {
          break;
        }
      }
      return target.position() - start;
    }

    @Override
    public boolean isOpen() {
      return in.isOpen();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
