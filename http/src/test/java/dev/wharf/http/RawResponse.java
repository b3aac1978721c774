package dev.wharf.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One response read off a raw socket, written for tests independently of our own decoder: status
 * line, header lines and a Content-Length body (responses without content have none).
 */
public record RawResponse(String statusLine, List<String> headers, byte[] body) {

  public int status() {
    return Integer.parseInt(statusLine.split(" ")[1]);
  }

  public Optional<String> header(String name) {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    return headers.stream()
        .filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
        .map(h -> h.substring(prefix.length()).strip())
        .findFirst();
  }

  public List<String> all(String name) {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    return headers.stream()
        .filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
        .map(h -> h.substring(prefix.length()).strip())
        .toList();
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Reads one response to a request with {@code method}; throws at end of stream. */
  public static RawResponse read(InputStream in, String method) throws IOException {
    String statusLine = line(in);
    var headers = new ArrayList<String>();
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      headers.add(line);
    }
    var response = new RawResponse(statusLine, headers, new byte[0]);
    int status = response.status();
    if (method.equals("HEAD") || status == 204 || status == 304 || status < 200) {
      return response;
    }
    int length = Integer.parseInt(response.header("Content-Length").orElseThrow());
    return new RawResponse(statusLine, headers, in.readNBytes(length));
  }

  private static String line(InputStream in) throws IOException {
    var bytes = new ByteArrayOutputStream(64);
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("end of stream in a response head after: " + bytes);
      }
      bytes.write(b);
    }
    String line = bytes.toString(StandardCharsets.ISO_8859_1);
    if (!line.endsWith("\r")) {
      throw new IOException("a line without CR: " + line);
    }
    return line.substring(0, line.length() - 1);
  }
}
