package dev.wharf.scan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A services file read as bytes, line by line: {@code name port/protocol [more] [# comment]}, the
 * format of {@code /etc/services} and of nmap's {@code nmap-services} (whose third field is the
 * port's open frequency). By hand, with no string or regular expression per line: nmap's file has
 * 27,000 lines (1 MB), read at a scan's start before the JIT compiler has looked at anything, where
 * splitting each line cost 80-110 ms of CPU. Stateless; any thread.
 */
final class ServicesFile {
  static final int OTHER = 0;
  static final int TCP = 1;
  static final int UDP = 2;

  private ServicesFile() {}

  /** What a reader does with each line of the format. */
  @FunctionalInterface
  interface Line {
    /**
     * Takes the line {@code b[nameStart, end)} naming {@code port} of {@code protocol} ({@link
     * #TCP}, {@link #UDP} or {@link #OTHER}), whose fields after the port start at {@code rest}.
     *
     * @return false to read no further
     */
    boolean take(byte[] b, int nameStart, int nameEnd, int port, int protocol, int rest, int end);
  }

  /**
   * Hands {@code line} each line of {@code file} that has a name and a port, until it says stop;
   * comments, blank lines and lines of another format are skipped.
   */
  static void read(Path file, Line line) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[16_384];
      int filled = 0;
      while (true) {
        int read = in.read(buffer, filled, buffer.length - filled);
        if (read < 0) {
          if (filled > 0) {
            parse(buffer, 0, filled, line);
          }
          return;
        }
        filled += read;
        int start = 0;
        for (int i = 0; i < filled; i++) {
          if (buffer[i] == '\n') {
            if (!parse(buffer, start, i, line)) {
              return;
            }
            start = i + 1;
          }
        }
        // A line longer than the buffer is no services line: dropped, the next one still counts.
        filled -= start;
        System.arraycopy(buffer, start, buffer, 0, filled);
        if (filled == buffer.length) {
          filled = 0;
        }
      }
    }
  }

  /** Parses {@code b[from, to)}; hands it on when it is of the format, else goes on. */
  private static boolean parse(byte[] b, int from, int to, Line line) {
    int nameStart = skipSpace(b, from, to);
    int nameEnd = skipWord(b, nameStart, to);
    if (nameEnd == nameStart) {
      return true;
    }
    int at = skipSpace(b, nameEnd, to);
    int port = 0;
    int digits = 0;
    while (at < to && b[at] >= '0' && b[at] <= '9' && digits < 6) {
      port = port * 10 + (b[at++] - '0');
      digits++;
    }
    if (digits == 0 || port > PortList.MAX_PORT || at + 4 > to || b[at] != '/') {
      return true;
    }
    int protocolEnd = skipWord(b, at + 1, to);
    int protocol = OTHER;
    if (protocolEnd == at + 4 && b[at + 3] == 'p') {
      if (b[at + 1] == 't' && b[at + 2] == 'c') {
        protocol = TCP;
      } else if (b[at + 1] == 'u' && b[at + 2] == 'd') {
        protocol = UDP;
      }
    }
    return line.take(b, nameStart, nameEnd, port, protocol, skipSpace(b, protocolEnd, to), to);
  }

  /**
   * The decimal number ({@code 0.001995}) at {@code b[from, to)}, up to a space or the end; -1
   * where there is none. Exactly as {@link Double#parseDouble} rounds it: its digits as a long over
   * a power of ten, both exact in a double, make one correctly rounded division.
   */
  static double decimal(byte[] b, int from, int to) {
    long digits = 0;
    int count = 0;
    int scale = -1;
    int at = from;
    for (; at < to && !isSpace(b[at]) && b[at] != '#'; at++) {
      if (b[at] == '.' && scale < 0) {
        scale = 0;
      } else if (b[at] >= '0' && b[at] <= '9' && count < 15) {
        digits = digits * 10 + (b[at] - '0');
        count++;
        scale += scale >= 0 ? 1 : 0;
      } else {
        return -1;
      }
    }
    if (count == 0) {
      return -1;
    }
    return digits / Math.pow(10, Math.max(0, scale));
  }

  /** Whether {@code b[from, to)} is {@code word}, ASCII. */
  static boolean is(byte[] b, int from, int to, String word) {
    if (to - from != word.length()) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (b[from + i] != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\r';
  }

  private static int skipSpace(byte[] b, int from, int to) {
    while (from < to && isSpace(b[from])) {
      from++;
    }
    return from;
  }

  /** The end of a word: a space, or a comment that starts right after it. */
  private static int skipWord(byte[] b, int from, int to) {
    while (from < to && !isSpace(b[from]) && b[from] != '#') {
      from++;
    }
    return from;
  }
}
