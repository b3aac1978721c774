package dev.wharf.http.files;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a request path into the segments of a file path below a served root, or refuses it. What is
 * refused never reaches the file system: dot segments, encoded slashes and backslashes, NUL and
 * other control bytes, invalid UTF-8, and segments the platform would read specially.
 */
final class SafePaths {
  private SafePaths() {}

  /** The decoded segments, or empty if the path could escape the root or is malformed. */
  static Optional<List<String>> segments(String rawPath) {
    if (!rawPath.startsWith("/")) {
      return Optional.empty();
    }
    var segments = new ArrayList<String>();
    // Split before decoding, so an encoded slash (%2F) can never make a new segment.
    for (String raw : rawPath.substring(1).split("/", -1)) {
      if (raw.isEmpty()) {
        continue; // "//" and a trailing slash add nothing.
      }
      Optional<String> decoded = decode(raw);
      if (decoded.isEmpty()) {
        return Optional.empty();
      }
      String segment = decoded.get();
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.empty();
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
          return Optional.empty();
        }
      }
      segments.add(segment);
    }
    return Optional.of(segments);
  }

  /** Percent-decoding as UTF-8, strictly: a malformed escape or invalid UTF-8 is refused. */
  static Optional<String> decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return Optional.of(raw);
    }
    var bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return Optional.empty();
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code path} with each run of slashes made one: {@code //evil.example/} as a Location would be
   * a link to another host (RFC 3986 §4.2, a network-path reference), which browsers follow.
   */
  static String collapseSlashes(String path) {
    return path.indexOf("//") < 0 ? path : path.replaceAll("/{2,}", "/");
  }

  /** Percent-encodes a file name for use in a link. */
  static String encode(String segment) {
    var out = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
