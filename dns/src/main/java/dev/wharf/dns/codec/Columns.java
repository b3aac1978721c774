package dev.wharf.dns.codec;

/** dig's tab-stop layout of records: tabs up to a column, one space past it. Any thread. */
final class Columns {
  private Columns() {}

  /** Appends tabs (8 columns each) until {@code column}, or one space if already there. */
  static void advance(StringBuilder out, int column) {
    int at = lastLineLength(out);
    if (at >= column) {
      out.append(' ');
      return;
    }
    while (at < column) {
      out.append('\t');
      at = (at / 8 + 1) * 8;
    }
  }

  private static int lastLineLength(StringBuilder out) {
    int column = 0;
    for (int i = out.lastIndexOf("\n") + 1; i < out.length(); i++) {
      column = out.charAt(i) == '\t' ? (column / 8 + 1) * 8 : column + 1;
    }
    return column;
  }
}
