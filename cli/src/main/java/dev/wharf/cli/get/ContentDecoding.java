package dev.wharf.cli.get;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.Inflater;
import java.util.zip.InflaterOutputStream;
import java.util.zip.ZipException;

/**
 * {@code --compressed}: what the request accepts, and a sink that decodes a gzip or deflate body as
 * it arrives, pushed chunk by chunk (so it runs on the loop with no thread of its own). Not
 * thread-safe.
 */
final class ContentDecoding {
  /** Both are in java.util.zip; br needs a library the JDK lacks. */
  static final String ACCEPTED = "deflate, gzip";

  private ContentDecoding() {}

  /**
   * A stream that decodes a body of this Content-Encoding into {@code sink}; empty for an encoding
   * it does not decode (the body is then written as it came, as curl does). {@link
   * OutputStream#close} finishes the decoding without closing {@code sink}.
   */
  static Optional<OutputStream> decoder(String contentEncoding, OutputStream sink) {
    OutputStream kept =
        new FilterOutputStream(sink) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush(); // The sink is stdout or the -o file: its owner closes it.
          }
        };
    return switch (contentEncoding.strip().toLowerCase(Locale.ROOT)) {
      case "gzip", "x-gzip" -> Optional.of(new GzipOutputDecoder(kept));
      // RFC 9110 §8.4.1.2: "deflate" is the zlib format (RFC 1950).
      case "deflate" -> Optional.of(new InflaterOutputStream(kept));
      default -> Optional.empty();
    };
  }

  /**
   * gzip (RFC 1952): the member header is read and skipped, then the deflate data inflated; the
   * trailer (CRC and length) is not checked, the transfer's own length check stands instead.
   */
  private static final class GzipOutputDecoder extends OutputStream {
    private static final int MAX_HEADER = 64 * 1024;
    private final ByteArrayOutputStream header = new ByteArrayOutputStream();
    private final InflaterOutputStream inflater;
    private final Inflater engine = new Inflater(true);
    private boolean inBody;

    GzipOutputDecoder(OutputStream sink) {
      this.inflater = new InflaterOutputStream(sink, engine);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (inBody) {
        inflater.write(b, off, len);
        return;
      }
      header.write(b, off, len);
      byte[] seen = header.toByteArray();
      int length = headerLength(seen);
      if (length < 0) {
        if (seen.length > MAX_HEADER) {
          throw new ZipException("gzip header longer than " + MAX_HEADER + " bytes");
        }
        return;
      }
      inBody = true;
      inflater.write(seen, length, seen.length - length);
    }

    /** The header's length, or -1 while it is incomplete. RFC 1952 §2.3. */
    private static int headerLength(byte[] b) throws ZipException {
      if (b.length < 10) {
        return -1;
      }
      if ((b[0] & 0xFF) != 0x1F || (b[1] & 0xFF) != 0x8B || b[2] != 8) {
        throw new ZipException("not gzip data");
      }
      int flags = b[3];
      int at = 10;
      if ((flags & 4) != 0) { // FEXTRA: two bytes of length, then that many
        if (b.length < at + 2) {
          return -1;
        }
        at += 2 + ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8);
      }
      for (int field : new int[] {8, 16}) { // FNAME, FCOMMENT: zero-terminated
        if ((flags & field) != 0) {
          while (at < b.length && b[at] != 0) {
            at++;
          }
          if (at >= b.length) {
            return -1;
          }
          at++;
        }
      }
      if ((flags & 2) != 0) { // FHCRC
        at += 2;
      }
      return at <= b.length ? at : -1;
    }

    @Override
    public void close() throws IOException {
      try {
        inflater.close();
      } finally {
        engine.end();
      }
    }
  }
}
