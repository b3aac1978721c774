package dev.wharf.load.internal;

import dev.wharf.http.h2.hpack.HpackEncoder;
import dev.wharf.load.LoadPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one request of an HTTP/2 load, encoded once for the run: its field block (RFC 9113 §8.3: the
 * pseudo-header fields, then the plan's headers in lowercase, less those HTTP/2 has no use for) and
 * its body. The block is HPACK without the dynamic table, so that the same bytes are right for
 * every request on every connection; the first block of a connection also tells the server that our
 * table is empty (RFC 7541 §4.2). Immutable: the workers share it.
 */
final class Http2Requests {
  /** Connection-specific fields (§8.2.2) and Host, which :authority replaces (§8.3.1). */
  private static final Set<String> LEFT_OUT =
      Set.of(
          "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host");

  private final byte[] firstBlock;
  private final byte[] block;
  private final byte[] body;

  Http2Requests(LoadPlan plan, boolean tls) {
    this.body = plan.body();
    List<String[]> fields = fields(plan, tls);
    var encoder = new HpackEncoder(0);
    this.firstBlock = encode(encoder, fields);
    this.block = encode(encoder, fields);
  }

  /** The request's fields, pseudo-header fields first. */
  static List<String[]> fields(LoadPlan plan, boolean tls) {
    var fields = new ArrayList<String[]>();
    String authority = plan.target().authority();
    var rest = new ArrayList<String[]>();
    boolean length = false;
    for (String header : plan.headers()) {
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      if (name.equals("host")) {
        authority = value;
      } else if (name.equals("te") && !value.equalsIgnoreCase("trailers")) {
        continue; // §8.2.2: TE may only say trailers
      }
      length |= name.equals("content-length");
      if (!LEFT_OUT.contains(name)) {
        rest.add(new String[] {name, value});
      }
    }
    fields.add(new String[] {":method", plan.method()});
    fields.add(new String[] {":scheme", tls ? "https" : "http"});
    fields.add(new String[] {":authority", authority});
    fields.add(new String[] {":path", plan.target().path()});
    fields.addAll(rest);
    if (!length && plan.body().length > 0) {
      fields.add(new String[] {"content-length", Integer.toString(plan.body().length)});
    }
    return fields;
  }

  private static byte[] encode(HpackEncoder encoder, List<String[]> fields) {
    encoder.beginBlock();
    for (String[] field : fields) {
      encoder.field(field[0], field[1]);
    }
    var encoded = encoder.endBlock();
    var bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    return bytes;
  }

  /** The block of a connection's first request. */
  byte[] firstBlock() {
    return firstBlock;
  }

  /** The block of every later request. */
  byte[] block() {
    return block;
  }

  /** The body (empty for none); not to be changed. */
  byte[] body() {
    return body;
  }
}
