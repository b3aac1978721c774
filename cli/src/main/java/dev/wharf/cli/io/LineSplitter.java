package dev.wharf.cli.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Cuts stdin's bytes into lines, each to be sent as one text message: a line without its {@code \n}
 * (or {@code \r\n}); a line longer than the limit goes out in pieces of at most that many bytes,
 * cut between characters; what is left when stdin ends is a last line. Bytes that are not UTF-8
 * become U+FFFD, since a text message must be UTF-8.
 *
 * <p>One thread (the stdin pump's).
 */
public final class LineSplitter {

  /** Takes each line as it is cut. */
  public interface Lines {
    void line(String line) throws InterruptedException;
  }

  private final int maxLineBytes;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  public LineSplitter(int maxLineBytes) {
    if (maxLineBytes < 4) {
      throw new IllegalArgumentException("a line must be able to hold one character");
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** Adds a chunk of stdin and hands over every line it completes. */
  public void feed(byte[] chunk, Lines lines) throws InterruptedException {
    int start = 0;
    for (int i = 0; i < chunk.length; i++) {
      if (chunk[i] == '\n') {
        pending.write(chunk, start, i - start);
        start = i + 1;
        lines.line(take(true));
      } else if (pending.size() + (i - start) >= maxLineBytes) {
        pending.write(chunk, start, i - start);
        start = i;
        emitPiece(lines);
      }
    }
    pending.write(chunk, start, chunk.length - start);
  }

  /** Stdin ended: what is left, if anything, is the last line. */
  public void finish(Lines lines) throws InterruptedException {
    if (pending.size() > 0) {
      lines.line(take(false));
    }
  }

  private String take(boolean endOfLine) {
    byte[] bytes = pending.toByteArray();
    pending.reset();
    int length = bytes.length;
    if (endOfLine && length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  /** A line reached the limit: send all of it but a character cut in two, which stays pending. */
  private void emitPiece(Lines lines) throws InterruptedException {
    byte[] bytes = pending.toByteArray();
    int cut = bytes.length;
    // The last character starts at its lead byte, behind at most three continuation bytes
    // (10xxxxxx); if it is not whole yet, it waits for the next piece.
    int lead = cut - 1;
    while (lead > 0 && cut - lead < 4 && (bytes[lead] & 0xC0) == 0x80) {
      lead--;
    }
    int b = bytes[lead] & 0xFF;
    int length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    if (cut - lead < length && lead > 0) {
      cut = lead;
    }
    pending.reset();
    pending.write(bytes, cut, bytes.length - cut);
    lines.line(new String(bytes, 0, cut, StandardCharsets.UTF_8));
  }
}
