package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.HttpLimits;
import dev.wharf.http.fields.Tokens;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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

  /**
   * The raw lines of {@link #previous}, one after another, line {@code i} ending at {@code
   * previousEnds[i]}. A line byte-equal to the one at its position last time takes that field's
   * name and value as they are: those very bytes passed every check below. Only equal bytes are
   * reused, so no request sees another's fields; the Strings are immutable, so none can tell.
   */
  private byte[] previousLines = new byte[256];

  private int[] previousEnds = new int[16];
  private int previousCount;

  /**
   * This section's raw lines, written only once a line differs from its predecessor at the same
   * position ({@link #diverged}): until then they are the start of {@link #previousLines}.
   */
  private byte[] lines = new byte[256];

  private int[] ends = new int[16];
  private boolean diverged;

  /**
   * How many Host, Content-Length and Transfer-Encoding lines this section has, counted as the
   * lines are split, so that framing a request needs no second pass over its fields.
   */
  private int hosts;

  private int contentLengths;
  private int transferEncodings;

  FieldSection(HttpLimits limits) {
    this.limits = limits;
  }

  void reset() {
    fields.clear();
    count = 0;
    bytes = 0;
    diverged = false;
    hosts = 0;
    contentLengths = 0;
    transferEncodings = 0;
  }

  /** Host lines in the section read since {@link #reset()}. */
  int hosts() {
    return hosts;
  }

  /** Whether the section has a Content-Length or Transfer-Encoding line: a body may follow. */
  boolean hasFramingFields() {
    return contentLengths + transferEncodings > 0;
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
    if (!diverged) {
      // Every line so far was the one at its position last time; parse collected none of them.
      if (count == previousCount && count > 0) {
        // As many as last time: the same fields. Headers are immutable, so the last section's
        // object serves again, and a keep-alive client's usual request costs no copy of it.
        return previous;
      }
      for (int i = 0; i < count; i++) { // Fewer: the start of the last section.
        fields.add(previous.name(i), previous.value(i));
      }
    }
    Headers built = fields.build();
    fields.clear(); // Between sections a connection holds no field Strings here...
    if (bytes > MAX_REMEMBERED_BYTES) {
      // ...nor a large section's: 3,000 idle connections after 57 KiB headers held 170 MiB.
      previous = Headers.EMPTY;
      previousCount = 0;
      if (previousLines.length > MAX_REMEMBERED_BYTES || lines.length > MAX_REMEMBERED_BYTES) {
        previousLines = new byte[256];
        lines = new byte[256];
      }
    } else if (built.size() > 0) { // An empty trailer section would teach nothing.
      previous = built;
      if (diverged) {
        byte[] swapLines = previousLines;
        previousLines = lines;
        lines = swapLines;
        int[] swapEnds = previousEnds;
        previousEnds = ends;
        ends = swapEnds;
      } // Else this section's lines are the start of the previous one's.
      previousCount = built.size();
    }
    return built;
  }

  /** Whether {@code bytes[0, length)} equal the raw line {@code index} of the previous section. */
  private boolean sameAsPrevious(int index, byte[] bytes, int length) {
    if (index >= previousCount) {
      return false;
    }
    int from = index == 0 ? 0 : previousEnds[index - 1];
    return Arrays.equals(bytes, 0, length, previousLines, from, previousEnds[index]);
  }

  /** Notes line {@code index} among this section's raw lines, once they differ from the last. */
  private void record(int index, byte[] bytes, int length, boolean same) {
    if (!diverged) {
      if (same) {
        return; // Still the start of previousLines.
      }
      diverged = true;
      int prefix = index == 0 ? 0 : previousEnds[index - 1];
      lines = ensure(lines, prefix);
      System.arraycopy(previousLines, 0, lines, 0, prefix);
      ends = ensure(ends, index);
      System.arraycopy(previousEnds, 0, ends, 0, index);
    }
    int from = index == 0 ? 0 : ends[index - 1];
    lines = ensure(lines, from + length);
    System.arraycopy(bytes, 0, lines, from, length);
    ends = ensure(ends, index + 1);
    ends[index] = from + length;
  }

  private static byte[] ensure(byte[] array, int length) {
    return length <= array.length
        ? array
        : Arrays.copyOf(array, Math.max(length, 2 * array.length));
  }

  private static int[] ensure(int[] array, int length) {
    return length <= array.length
        ? array
        : Arrays.copyOf(array, Math.max(length, 2 * array.length));
  }

  private void parse(byte[] bytes, int length) {
    int index = count - 1;
    boolean same = sameAsPrevious(index, bytes, length);
    if (same) {
      note(previous.name(index));
      if (diverged) {
        fields.add(previous.name(index), previous.value(index));
      } // Else still the start of the previous section: build() may hand that back whole.
    } else {
      if (!diverged) {
        // The lines so far were the previous section's: collect them now, before this new one.
        for (int i = 0; i < index; i++) {
          fields.add(previous.name(i), previous.value(i));
        }
      }
      parseNew(bytes, length);
      note(fields.name(index));
    }
    record(index, bytes, length, same);
  }

  private void note(String name) {
    // Field names are case-insensitive (RFC 9110 §5.1); the length rules out most at once.
    switch (name.length()) {
      case 4 -> hosts += name.equalsIgnoreCase("Host") ? 1 : 0;
      case 14 -> contentLengths += name.equalsIgnoreCase("Content-Length") ? 1 : 0;
      case 17 -> transferEncodings += name.equalsIgnoreCase("Transfer-Encoding") ? 1 : 0;
      default -> {}
    }
  }

  /** RFC 9112 §5: field-line = field-name ":" OWS field-value OWS. */
  private void parseNew(byte[] bytes, int length) {
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
