package dev.wharf.cli.get;

import dev.wharf.cli.Json;
import dev.wharf.http.Headers;
import java.util.Locale;
import java.util.Map;

/**
 * curl's {@code -w FORMAT}: {@code %{name}} for a figure of the transfer, with curl's names, {@code
 * %header{name}} (or {@code %{header{name}}}) for a response field, {@code %{json}} for every
 * figure as one JSON object, and the escapes {@code \n \r \t \\ %%}. A name it does not know is
 * written as it stands, as curl does. Immutable; any thread.
 */
final class WriteOut {
  /**
   * The figures in the order %{json} lists them: each a number, a string, {@link #status} or {@link
   * #seconds}, or null for none (JSON null, nothing in text).
   */
  private final Map<String, Object> figures;

  private final Headers responseHeaders;

  WriteOut(Map<String, Object> figures, Headers responseHeaders) {
    this.figures = figures;
    this.responseHeaders = responseHeaders;
  }

  /** An HTTP status as a figure: three digits (000 for none) in text, a number in JSON. */
  static Object status(int code) {
    return new StatusCode(code);
  }

  /** A time as a figure: seconds with six decimals, as curl's time_ figures. */
  static Object seconds(java.time.Duration time) {
    return new Seconds(time.toNanos() / 1e9);
  }

  /** An HTTP status, written with three digits (000 for none) as curl's http_code. */
  private record StatusCode(int code) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%03d", code);
    }
  }

  /** A time, written in seconds with six decimals as curl's time_ figures. */
  private record Seconds(double value) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.6f", value);
    }
  }

  /** The format with every variable and escape replaced. */
  String format(String template) {
    var out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '\\' && i + 1 < template.length()) {
        char next = template.charAt(i + 1);
        switch (next) {
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case '\\' -> out.append('\\');
          default -> out.append(c).append(next);
        }
        i += 2;
      } else if (template.startsWith("%%", i)) {
        out.append('%');
        i += 2;
      } else if (template.startsWith("%header{", i) && template.indexOf('}', i) > 0) {
        int end = template.indexOf('}', i);
        out.append(header(template.substring(i + "%header{".length(), end)));
        i = end + 1;
      } else if (template.startsWith("%{header{", i) && template.indexOf("}}", i) > 0) {
        int end = template.indexOf("}}", i);
        out.append(header(template.substring(i + "%{header{".length(), end)));
        i = end + 2;
      } else if (template.startsWith("%{", i) && template.indexOf('}', i) > 0) {
        int end = template.indexOf('}', i);
        String name = template.substring(i + 2, end);
        if (name.equals("json")) {
          out.append(json());
        } else if (figures.containsKey(name)) {
          Object value = figures.get(name);
          out.append(value == null ? "" : value);
        } else {
          out.append(template, i, end + 1); // curl leaves what it does not know.
        }
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private String header(String name) {
    return String.join(", ", responseHeaders.all(name));
  }

  /** Every figure as curl's %{json}: numbers bare, strings quoted, none as null. */
  String json() {
    var out = new StringBuilder("{");
    for (Map.Entry<String, Object> figure : figures.entrySet()) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append(Json.quote(figure.getKey())).append(':');
      Object value = figure.getValue();
      if (value == null) {
        out.append("null");
      } else if (value instanceof String text) {
        out.append(Json.quote(text));
      } else if (value instanceof StatusCode code) {
        out.append(code.code());
      } else {
        out.append(value);
      }
    }
    return out.append('}').toString();
  }
}
