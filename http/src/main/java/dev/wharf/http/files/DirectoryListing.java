package dev.wharf.http.files;

import dev.wharf.http.server.ServerRequest;
import dev.wharf.http.server.ServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** A directory's entries as an HTML page, or as JSON for a client that asks for it. */
final class DirectoryListing {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private record Entry(String name, boolean directory, long size, java.time.Instant modified) {}

  private DirectoryListing() {}

  static void send(
      ServerRequest request,
      ServerResponse response,
      Path directory,
      boolean showHidden,
      boolean uploadForm)
      throws IOException {
    var entries = new ArrayList<Entry>();
    try (var stream = Files.list(directory)) {
      for (Path path : (Iterable<Path>) stream::iterator) {
        // As UTF-8 whatever the locale: the name the client will ask for.
        String name = FileNames.name(path);
        if (!showHidden && name.startsWith(".") || Uploads.isPartial(name)) {
          continue;
        }
        try {
          var attributes = Files.readAttributes(path, BasicFileAttributes.class);
          entries.add(
              new Entry(
                  name,
                  attributes.isDirectory(),
                  attributes.size(),
                  attributes.lastModifiedTime().toInstant()));
        } catch (IOException vanished) {
          // Deleted while we listed: leave it out.
        }
      }
    }
    entries.sort(Comparator.comparing(e -> e.name().toLowerCase(Locale.ROOT)));
    boolean json = request.header("Accept").map(a -> a.contains("application/json")).orElse(false);
    if (json) {
      response.send(200, "application/json", json(entries).getBytes(StandardCharsets.UTF_8));
    } else {
      response.send(
          200,
          "text/html; charset=utf-8",
          html(request.path(), entries, uploadForm).getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String json(List<Entry> entries) {
    var out = new StringBuilder("[");
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      out.append(i == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(jsonEscape(e.name()))
          .append("\",\"type\":\"")
          .append(e.directory() ? "directory" : "file")
          .append("\",\"size\":")
          .append(e.directory() ? 0 : e.size())
          .append(",\"modified\":\"")
          .append(e.modified())
          .append("\"}");
    }
    return out.append("]\n").toString();
  }

  private static String html(String path, List<Entry> entries, boolean uploadForm) {
    String title = "Index of " + htmlEscape(SafePaths.decode(path).orElse(path));
    var out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(title)
        .append(
            "</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em}"
                + "td{padding:0 1.5em 0 0}td.n{text-align:right}</style></head>\n<body><h1>")
        .append(title)
        .append("</h1>\n<table>\n<tr><th>Name</th><th>Size</th><th>Modified (UTC)</th></tr>\n");
    if (!path.equals("/")) {
      out.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
    }
    for (Entry e : entries) {
      String shown = e.name() + (e.directory() ? "/" : "");
      out.append("<tr><td><a href=\"")
          .append(SafePaths.encode(e.name()))
          .append(e.directory() ? "/" : "")
          .append("\">")
          .append(htmlEscape(shown))
          .append("</a></td><td class=\"n\">")
          .append(e.directory() ? "-" : humanSize(e.size()))
          .append("</td><td>")
          .append(WHEN.format(e.modified()))
          .append("</td></tr>\n");
    }
    out.append("</table>\n");
    if (uploadForm) {
      // Posts to this directory; the server answers a browser with a redirect back here.
      out.append(
          "<form method=\"post\" enctype=\"multipart/form-data\"><p>"
              + "<input type=\"file\" name=\"file\" multiple> "
              + "<button type=\"submit\">Upload</button></p></form>\n");
    }
    return out.append("</body></html>\n").toString();
  }

  static String humanSize(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private static String htmlEscape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static String jsonEscape(String text) {
    var out = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
