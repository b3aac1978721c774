package dev.wharf.http.h2.hpack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One story of the hpack-test-case corpus (test resources, {@code hpack-test-case/}): header blocks
 * that share one compression context, each with the header list it decodes to.
 */
record Story(String name, List<Case> cases) {
  /**
   * One block: its wire octets (none in raw-data), its list, the table size acknowledged before.
   */
  record Case(byte[] wire, List<HeaderField> headers, int headerTableSize) {}

  static Story load(String path) {
    try (InputStream in = Story.class.getResourceAsStream("/hpack-test-case/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource hpack-test-case/" + path);
      }
      return parse(path, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Story parse(String name, String json) {
    var cases = new ArrayList<Case>();
    for (Object c : (List<?>) ((Map<?, ?>) MiniJson.parse(json)).get("cases")) {
      var fields = (Map<?, ?>) c;
      var headers = new ArrayList<HeaderField>();
      for (Object h : (List<?>) fields.get("headers")) {
        for (var entry : ((Map<?, ?>) h).entrySet()) {
          headers.add(new HeaderField((String) entry.getKey(), (String) entry.getValue()));
        }
      }
      Object wire = fields.get("wire");
      Object size = fields.get("header_table_size");
      cases.add(
          new Case(
              wire == null ? null : Hex.decode((String) wire),
              List.copyOf(headers),
              size == null ? -1 : ((Long) size).intValue()));
    }
    return new Story(name, List.copyOf(cases));
  }

  @Override
  public String toString() {
    return name;
  }
}
