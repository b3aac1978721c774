package dev.wharf.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/** A stretch of a file waiting in a write queue, sent with transferTo (sendfile). */
final class FileRegion {
  private final FileChannel file;
  private long position;
  private long remaining;

  FileRegion(FileChannel file, long position, long count) {
    this.file = file;
    this.position = position;
    this.remaining = count;
  }

  /** Sends what the socket takes now; returns the bytes sent. */
  long transferTo(WritableByteChannel target) throws IOException {
    long sent = file.transferTo(position, remaining, target);
    if (sent == 0 && position >= file.size()) {
      throw new IOException("file shrank while being sent: expected " + remaining + " more bytes");
    }
    position += sent;
    remaining -= sent;
    return sent;
  }

  long remaining() {
    return remaining;
  }

  void close() {
    try {
      file.close();
    } catch (IOException ignored) {
      // Nothing to do: the file was only read.
    }
  }
}
