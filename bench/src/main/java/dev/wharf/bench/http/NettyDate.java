package dev.wharf.bench.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;
import java.util.Date;

/**
 * The Date header's value, formatted once a second and shared, as TechEmpower's Netty entry and
 * Wharf's {@code HttpDate} both do; any thread.
 */
final class NettyDate {
  private record Cached(long second, AsciiString text) {}

  private static volatile Cached cached = new Cached(-1, AsciiString.EMPTY_STRING);

  private NettyDate() {}

  static AsciiString now() {
    long millis = System.currentTimeMillis();
    long second = millis / 1000;
    Cached current = cached;
    if (current.second() != second) {
      current = new Cached(second, new AsciiString(DateFormatter.format(new Date(second * 1000))));
      cached = current;
    }
    return current.text();
  }
}
