package dev.wharf.bench.http;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The HTTP of the floor servers, as bench/c/plaintext-epoll.c does it: where a request ends (no
 * more parsing than that), and the whole plaintext response, its Date this second's, made again
 * once a second. Not thread-safe: one per loop.
 */
final class FloorHttp {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT);

  private final String server;
  private byte[] bytes = new byte[0];
  private long second = -1;

  FloorHttp(String server) {
    this.server = server;
  }

  /** The response for now: the same array until the second changes. */
  byte[] now() {
    long now = System.currentTimeMillis() / 1000;
    if (now != second) {
      second = now;
      bytes =
          ("HTTP/1.1 200 OK\r\nServer: "
                  + server
                  + "\r\nDate: "
                  + DATE.format(ZonedDateTime.now(ZoneOffset.UTC))
                  + "\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
              .getBytes(StandardCharsets.US_ASCII);
    }
    return bytes;
  }

  /** The offset just past the first CRLFCRLF in {@code in[from, to)}, or -1. */
  static long endOfRequest(MemorySegment in, long from, long to) {
    for (long i = from; i + 3 < to; i++) {
      if (in.get(JAVA_BYTE, i) == '\r'
          && in.get(JAVA_BYTE, i + 1) == '\n'
          && in.get(JAVA_BYTE, i + 2) == '\r'
          && in.get(JAVA_BYTE, i + 3) == '\n') {
        return i + 4;
      }
    }
    return -1;
  }
}
