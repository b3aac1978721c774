package dev.wharf.cli.get;

import dev.wharf.http.client.RequestBody;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * curl's {@code -F}: a multipart/form-data body (RFC 7578) of {@code name=value} fields, {@code
 * name=@FILE} file uploads and {@code name=<FILE} fields whose value is a file's text. Files are
 * read as the body is sent, never whole into memory; the length is known beforehand, so the body
 * goes with a Content-Length. Immutable once made.
 */
final class FormData {
  private final String boundary;
  private final List<Object> pieces; // byte[] or Path, in order

  private FormData(String boundary, List<Object> pieces) {
    this.boundary = boundary;
    this.pieces = pieces;
  }

  /** The form the {@code -F} arguments describe; the files must exist. */
  static FormData of(List<String> fields) throws IOException {
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    // curl's shape: dashes, then random hex; it must not occur in the content (RFC 2046 §5.1.1).
    String boundary = "------------------------" + HexFormat.of().formatHex(random);
    var pieces = new ArrayList<Object>();
    for (String field : fields) {
      int equals = field.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException("-F takes NAME=VALUE, NAME=@FILE or NAME=<FILE");
      }
      String name = field.substring(0, equals);
      String value = field.substring(equals + 1);
      var head =
          new StringBuilder("--")
              .append(boundary)
              .append("\r\nContent-Disposition: form-data; name=\"")
              .append(quoted(name))
              .append('"');
      if (value.startsWith("@")) {
        Path file = Path.of(value.substring(1));
        requireFile(file);
        head.append("; filename=\"")
            .append(quoted(file.getFileName().toString()))
            .append("\"\r\nContent-Type: application/octet-stream");
        pieces.add(ascii(head.append("\r\n\r\n")));
        pieces.add(file);
      } else if (value.startsWith("<")) {
        Path file = Path.of(value.substring(1));
        requireFile(file);
        pieces.add(ascii(head.append("\r\n\r\n")));
        pieces.add(file);
      } else {
        pieces.add(ascii(head.append("\r\n\r\n")));
        pieces.add(value.getBytes(StandardCharsets.UTF_8));
      }
      pieces.add(ascii(new StringBuilder("\r\n")));
    }
    pieces.add(ascii(new StringBuilder("--").append(boundary).append("--\r\n")));
    return new FormData(boundary, List.copyOf(pieces));
  }

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  RequestBody body() throws IOException {
    long length = 0;
    for (Object piece : pieces) {
      length += piece instanceof byte[] bytes ? bytes.length : Files.size((Path) piece);
    }
    return new RequestBody.Streamed(length, () -> new Pieces(pieces));
  }

  private static void requireFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("-F: no such file: " + file);
    }
  }

  /** RFC 7578 §4.2: a quote or line break in a name is percent-encoded, as browsers do. */
  private static String quoted(String text) {
    return text.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
  }

  private static byte[] ascii(StringBuilder text) {
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The pieces one after another, each file opened when its turn comes. */
  private static final class Pieces implements ReadableByteChannel {
    private final List<Object> pieces;
    private int next;
    private ReadableByteChannel current;
    private boolean open = true;

    Pieces(List<Object> pieces) {
      this.pieces = pieces;
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
      while (true) {
        if (current == null) {
          if (next == pieces.size()) {
            return -1;
          }
          Object piece = pieces.get(next++);
          current =
              piece instanceof byte[] bytes
                  ? java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(bytes))
                  : FileChannel.open((Path) piece);
        }
        int n = current.read(target);
        if (n >= 0) {
          return n;
        }
        current.close();
        current = null;
      }
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() throws IOException {
      open = false;
      if (current != null) {
        current.close();
      }
    }
  }
}
