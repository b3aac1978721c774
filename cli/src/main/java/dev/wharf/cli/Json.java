package dev.wharf.cli;

/** The little JSON that {@code wharf ws --jsonl} writes: strings quoted as RFC 8259 asks. */
public final class Json {
  private Json() {}

  /** {@code text} as a JSON string, quotes included; characters beyond ASCII stay as they are. */
  public static String quote(String text) {
    var out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          // RFC 8259 §7: control characters must be escaped; U+2028/9 too, for JavaScript readers.
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
