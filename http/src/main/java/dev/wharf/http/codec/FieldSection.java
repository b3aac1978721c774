package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.fields.Tokens;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A header or trailer section (RFC 9112 §5) read line by line within the limits on its size and
 * field count, with the strict field-line rules both directions share. Not thread-safe.
 */
final class FieldSection {
  private final HttpLimits limits;

  /** Reused from section to section; {@link #build()} copies out what it holds. */
  private final Headers.Builder fields = Headers.builder();

  /**
   * The last section read. A keep-alive client sends much the same fields on every request (Host,
   * User-Agent, Accept...), so a field whose bytes match the one at the same position last time
   * takes its Strings instead of decoding new ones. Costs the connection one reference to Strings
   * it made anyway, until the next section replaces them.
   */
  private Headers previous = Headers.EMPTY;

  /**
   * Sections larger than this are not kept as {@link #previous}: few clients repeat them, and each
   * idle connection would hold one until its next request.
   */
  private static final int MAX_REMEMBERED_BYTES = 8 * 1024;

  private int count;
  private int bytes;

  FieldSection(HttpLimits limits) {
    this.limits = limits;
  }

  void reset() {
    fields.clear();
    count = 0;
    bytes = 0;
  }

  /**
   * Reads one field line from {@code input}; true once the empty line that ends the section has
   * been read. {@code bareLfEnds}: a LF alone ends a line (RFC 9112 §2.2), for header sections
   * only; trailers are part of chunked framing and stay strict.
   */
  boolean read(LineReader line, ByteBuffer input, String what, boolean bareLfEnds) {
    if (!line.read(input, limits.maxHeaderBytes() - bytes, bareLfEnds)) {
      if (line.overflowed()) {
        throw new MessageParseException(
            MessageParseException.Kind.HEADERS_TOO_LARGE,
            what + " section exceeds " + limits.maxHeaderBytes() + " bytes");
      }
      return false;
    }
    bytes += line.length() + 2;
    if (line.length() == 0) {
      line.reset();
      return true;
    }
    if (++count > limits.maxHeaderCount()) {
      throw new MessageParseException(
          MessageParseException.Kind.HEADERS_TOO_LARGE,
          "more than " + limits.maxHeaderCount() + " " + what + " fields");
    }
    parse(line.bytes(), line.length());
    line.reset();
    return false;
  }

  Headers build() {
    Headers built = fields.build();
    fields.clear(); // Between sections a connection holds no field Strings here...
    if (bytes > MAX_REMEMBERED_BYTES) {
      // ...nor a large section's: 3,000 idle connections after 57 KiB headers held 170 MiB.
      previous = Headers.EMPTY;
    } else if (built.size() > 0) {
      previous = built; // An empty trailer section would teach nothing.
    }
    return built;
  }

  /** RFC 9112 §5: field-line = field-name ":" OWS field-value OWS. */
  private void parse(byte[] bytes, int length) {
    if (bytes[0] == ' ' || bytes[0] == '\t') {
      // RFC 9112 §5.2: obs-fold must be rejected (or replaced); we reject.
      throw MessageParseException.malformed("obsolete line folding in header field");
    }
    int colon = -1;
    for (int i = 0; i < length; i++) {
      if (bytes[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon < 0) {
      throw MessageParseException.malformed("header field without a colon");
    }
    if (colon == 0) {
      throw MessageParseException.malformed("empty header field name");
    }
    for (int i = 0; i < colon; i++) {
      if (bytes[i] == ' ' || bytes[i] == '\t') {
        // RFC 9112 §5.1: no whitespace between field name and colon; must be rejected with 400.
        throw MessageParseException.malformed("whitespace before the colon in a header field");
      }
      if (!Tokens.isTchar(bytes[i])) {
        throw MessageParseException.malformed("invalid character in header field name");
      }
    }
    int start = colon + 1;
    int end = length;
    while (start < end && (bytes[start] == ' ' || bytes[start] == '\t')) {
      start++;
    }
    while (end > start && (bytes[end - 1] == ' ' || bytes[end - 1] == '\t')) {
      end--;
    }
    for (int i = start; i < end; i++) {
      // RFC 9110 §5.5: field-vchar / SP / HTAB; NUL and other controls are never allowed.
      if (!Tokens.isFieldValueByte(bytes[i])) {
        throw MessageParseException.malformed("invalid character in header field value");
      }
    }
    int index = count - 1;
    boolean seenBefore = index < previous.size();
    String name =
        seenBefore && SharedStrings.spells(bytes, 0, colon, previous.name(index))
            ? previous.name(index)
            : SharedStrings.fieldName(bytes, colon);
    String value =
        seenBefore && SharedStrings.spells(bytes, start, end - start, previous.value(index))
            ? previous.value(index)
            : new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    fields.add(name, value);
  }
}
