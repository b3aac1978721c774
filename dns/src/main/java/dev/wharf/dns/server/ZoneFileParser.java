package dev.wharf.dns.server;

import dev.wharf.dns.codec.DnsFormatException;
import dev.wharf.dns.codec.DnsMessageReader;
import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Octets;
import dev.wharf.dns.codec.RData;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads an RFC 1035 §5 master file: {@code $ORIGIN}, {@code $TTL} (RFC 2308 §4), relative and
 * absolute names, {@code @}, a blank owner for the previous one, optional TTL and class in either
 * order, parentheses across lines, comments, quoted strings, {@code $INCLUDE file [origin]} (a
 * relative path from the including file's folder; the including file's origin and owner are
 * restored after it, RFC 1035 §5.1; nested at most {@value #MAX_INCLUDE_DEPTH} deep, so a file that
 * includes itself fails plainly), and the data of A, AAAA, NS, CNAME, PTR, SOA, MX, TXT, SRV, CAA,
 * SVCB and HTTPS (RFC 9460's key=value parameters) and any type in RFC 3597's {@code \# length
 * hex}.
 *
 * <p>Not thread-safe: one parse on one thread.
 */
public final class ZoneFileParser {
  /** How deep {@code $INCLUDE}s may nest: enough for any real layout, and it ends include loops. */
  static final int MAX_INCLUDE_DEPTH = 8;

  private final Path file;
  private final int depth;
  private DnsName origin;
  private long defaultTtl;
  private DnsName previousOwner;
  private int line;
  private List<ResourceRecord> records;

  private ZoneFileParser(Path file, DnsName origin, long defaultTtl, int depth) {
    this.file = file;
    this.origin = origin;
    this.defaultTtl = defaultTtl;
    this.depth = depth;
  }

  /** The records of {@code text}, read as the file {@code file} with {@code origin}. */
  public static List<ResourceRecord> parse(Path file, String text, DnsName origin)
      throws ZoneFileException {
    return new ZoneFileParser(file, origin, -1, 0).records(text);
  }

  /** The records of the master file {@code file} and the files it includes. */
  public static List<ResourceRecord> read(Path file, DnsName origin) throws ZoneFileException {
    try {
      return parse(file, Files.readString(file, StandardCharsets.ISO_8859_1), origin);
    } catch (IOException e) {
      throw new ZoneFileException(file, "cannot read it: " + why(e));
    }
  }

  private static String why(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private List<ResourceRecord> records(String text) throws ZoneFileException {
    records = new ArrayList<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      line = i + 1;
      var tokens = new ArrayList<String>();
      boolean startsBlank =
          !lines.get(i).isEmpty() && Character.isWhitespace(lines.get(i).charAt(0));
      int depth = tokenize(lines.get(i), tokens);
      // RFC 1035 §5.1: parentheses continue an entry over the lines that follow.
      while (depth > 0) {
        if (++i >= lines.size()) {
          throw fail("a '(' is never closed");
        }
        depth = tokenize(lines.get(i), tokens, depth);
      }
      if (tokens.isEmpty()) {
        continue;
      }
      try {
        ResourceRecord record = entry(tokens, startsBlank);
        if (record != null) {
          records.add(record);
        }
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        throw fail(
            e instanceof IndexOutOfBoundsException ? "the record ends too soon" : e.getMessage());
      }
    }
    return records;
  }

  private ZoneFileException fail(String reason) {
    return new ZoneFileException(file, line, reason);
  }

  private ResourceRecord entry(List<String> tokens, boolean startsBlank) throws ZoneFileException {
    String first = tokens.getFirst();
    if (first.equalsIgnoreCase("$ORIGIN")) {
      origin = absolute(tokens.get(1));
      return null;
    }
    if (first.equalsIgnoreCase("$TTL")) {
      defaultTtl = ttl(tokens.get(1));
      return null;
    }
    if (first.equalsIgnoreCase("$INCLUDE")) {
      include(tokens);
      return null;
    }
    if (first.startsWith("$")) {
      throw fail("the directive " + first + " is not supported");
    }
    int at = 0;
    DnsName owner;
    if (startsBlank) {
      if (previousOwner == null) {
        throw fail("no owner name, and no record before to take it from");
      }
      owner = previousOwner;
    } else {
      owner = name(tokens.get(at++));
    }
    previousOwner = owner;
    long ttl = defaultTtl;
    int dnsClass = RecordClass.IN;
    for (int k = 0; k < 2; k++) {
      String token = tokens.get(at);
      if (Character.isDigit(token.charAt(0))) {
        ttl = ttl(token);
        at++;
      } else if (RecordClass.isClass(token) && !RecordType.isType(token)) {
        dnsClass = RecordClass.parse(token);
        at++;
      }
    }
    int type = RecordType.parse(tokens.get(at++));
    List<String> data = tokens.subList(at, tokens.size());
    RData rdata = rdata(type, data);
    if (ttl < 0) {
      if (rdata instanceof RData.Soa soa) {
        ttl = soa.minimum();
      } else {
        throw fail("no TTL: give one, or a $TTL line before");
      }
    }
    return new ResourceRecord(owner, type, dnsClass, ttl, rdata);
  }

  /**
   * Reads an included file into the records, with the origin it names (else ours); our origin and
   * owner stay as they were (RFC 1035 §5.1), the $TTL it sets does not come back either.
   */
  private void include(List<String> tokens) throws ZoneFileException {
    if (tokens.size() < 2 || tokens.size() > 3) {
      throw fail("$INCLUDE takes a file name and an optional origin");
    }
    if (depth + 1 > MAX_INCLUDE_DEPTH) {
      throw fail(
          "$INCLUDE nests more than " + MAX_INCLUDE_DEPTH + " deep (does a file include itself?)");
    }
    String name = new String(characterString(tokens.get(1)), StandardCharsets.ISO_8859_1);
    Path parent = file.toAbsolutePath().getParent();
    Path included = parent == null ? Path.of(name) : parent.resolve(name);
    DnsName includedOrigin = tokens.size() == 3 ? absolute(tokens.get(2)) : origin;
    String text;
    try {
      text = Files.readString(included, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw fail("cannot read " + included + ": " + why(e));
    }
    records.addAll(
        new ZoneFileParser(included, includedOrigin, defaultTtl, depth + 1).records(text));
  }

  private RData rdata(int type, List<String> d) {
    if (!d.isEmpty() && d.getFirst().equals("\\#")) {
      int length = Integer.parseInt(d.get(1));
      byte[] bytes = HexFormat.of().parseHex(String.join("", d.subList(2, d.size())));
      if (bytes.length != length) {
        throw new IllegalArgumentException(
            "\\# announces " + length + " octets but the hexadecimal holds " + bytes.length);
      }
      return generic(type, bytes);
    }
    exactly(
        type,
        d,
        switch (type) {
          case RecordType.A, RecordType.AAAA, RecordType.NS, RecordType.CNAME, RecordType.PTR -> 1;
          case RecordType.MX -> 2;
          case RecordType.CAA -> 3;
          case RecordType.SRV -> 4;
          case RecordType.SOA -> 7;
          case RecordType.SVCB, RecordType.HTTPS -> d.size() < 2 ? 2 : -1;
          default -> -1;
        });
    return switch (type) {
      case RecordType.A -> new RData.A(Octets.of(address(d.getFirst(), true)));
      case RecordType.AAAA -> new RData.Aaaa(Octets.of(address(d.getFirst(), false)));
      case RecordType.NS, RecordType.CNAME, RecordType.PTR -> new RData.Target(name(d.getFirst()));
      case RecordType.MX -> new RData.Mx(u16(d.get(0)), name(d.get(1)));
      case RecordType.SRV ->
          new RData.Srv(u16(d.get(0)), u16(d.get(1)), u16(d.get(2)), name(d.get(3)));
      case RecordType.SOA ->
          new RData.Soa(
              name(d.get(0)),
              name(d.get(1)),
              ttl(d.get(2)),
              ttl(d.get(3)),
              ttl(d.get(4)),
              ttl(d.get(5)),
              ttl(d.get(6)));
      case RecordType.TXT -> {
        if (d.isEmpty()) {
          throw new IllegalArgumentException("TXT needs at least one string");
        }
        var strings = new ArrayList<Octets>();
        for (String s : d) {
          strings.add(Octets.of(unquote(s)));
        }
        yield new RData.Txt(strings);
      }
      case RecordType.CAA ->
          new RData.Caa(u8(d.get(0)), Octets.of(unquote(d.get(1))), Octets.of(unquote(d.get(2))));
      case RecordType.SVCB, RecordType.HTTPS ->
          new RData.Svcb(
              u16(d.get(0)), name(d.get(1)), SvcParamsText.parse(d.subList(2, d.size())));
      default ->
          throw new IllegalArgumentException(
              RecordType.name(type) + " data must be written as \\# LENGTH HEX here");
    };
  }

  /**
   * RFC 3597 §5 data read as the type's own: a one-record message through the codec, so that {@code
   * \\#} data for a known type must be that type's valid data.
   */
  private static RData generic(int type, byte[] data) {
    ByteBuffer message = ByteBuffer.allocate(12 + 11 + data.length);
    message.putShort((short) 0).putShort((short) 0x8000).putShort((short) 0).putShort((short) 1);
    message.putShort((short) 0).putShort((short) 0);
    message.put((byte) 0).putShort((short) type).putShort((short) RecordClass.IN).putInt(0);
    message.putShort((short) data.length).put(data).flip();
    try {
      return DnsMessageReader.read(message).answers().getFirst().data();
    } catch (DnsFormatException e) {
      throw new IllegalArgumentException(
          "the \\# data is no valid " + RecordType.name(type) + " data: " + e.getMessage());
    }
  }

  private static void exactly(int type, List<String> data, int count) {
    if (count >= 0 && data.size() != count) {
      throw new IllegalArgumentException(
          RecordType.name(type) + " takes " + count + " fields, not " + data.size());
    }
  }

  private DnsName name(String token) {
    if (token.equals("@")) {
      return origin;
    }
    if (token.endsWith(".") && !token.endsWith("\\.")) {
      return DnsName.parse(token);
    }
    if (origin == null) {
      throw new IllegalArgumentException("the relative name '" + token + "' needs a $ORIGIN");
    }
    DnsName relative = DnsName.parse(token);
    var labels = new ArrayList<byte[]>();
    for (int i = 0; i < relative.labelCount(); i++) {
      labels.add(relative.label(i));
    }
    for (int i = 0; i < origin.labelCount(); i++) {
      labels.add(origin.label(i));
    }
    return DnsName.of(labels);
  }

  private static DnsName absolute(String token) {
    if (!token.endsWith(".")) {
      throw new IllegalArgumentException("$ORIGIN needs an absolute name (ending in '.')");
    }
    return DnsName.parse(token);
  }

  private static byte[] address(String text, boolean v4) {
    InetAddress address;
    try {
      address = InetAddress.ofLiteral(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not an address");
    }
    byte[] bytes = address.getAddress();
    if (v4 != (address instanceof Inet4Address) || (v4 && bytes.length != 4)) {
      if (!v4 && bytes.length == 4) {
        // ::ffff:a.b.c.d, which Java reads as IPv4.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return mapped;
      }
      throw new IllegalArgumentException(
          "'" + text + "' is not an IPv" + (v4 ? "4" : "6") + " address");
    }
    return bytes;
  }

  private static long ttl(String text) {
    long value = Long.parseLong(text);
    if (value < 0 || value > 0xffffffffL) {
      throw new IllegalArgumentException("'" + text + "' is not a 32-bit number");
    }
    return value;
  }

  static int u16(String text) {
    int value = Integer.parseInt(text);
    if (value < 0 || value > 0xffff) {
      throw new IllegalArgumentException("'" + text + "' is not a 16-bit number");
    }
    return value;
  }

  private static int u8(String text) {
    int value = Integer.parseInt(text);
    if (value < 0 || value > 0xff) {
      throw new IllegalArgumentException("'" + text + "' is not an 8-bit number");
    }
    return value;
  }

  /** A character-string's octets, at most 255 of them (RFC 1035 §3.3). */
  private static byte[] unquote(String token) {
    byte[] octets = characterString(token);
    if (octets.length > 255) {
      throw new IllegalArgumentException("a character-string holds at most 255 octets");
    }
    return octets;
  }

  /** A token's octets: quotes removed, {@code \X} and {@code \DDD} escapes resolved. */
  static byte[] characterString(String token) {
    String body =
        token.length() >= 2 && token.startsWith("\"") && token.endsWith("\"")
            ? token.substring(1, token.length() - 1)
            : token;
    var out = new ByteArrayOutputStream();
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\'
          && i + 3 < body.length()
          && Character.isDigit(body.charAt(i + 1))
          && Character.isDigit(body.charAt(i + 2))
          && Character.isDigit(body.charAt(i + 3))) {
        out.write(Integer.parseInt(body.substring(i + 1, i + 4)));
        i += 3;
      } else if (c == '\\' && i + 1 < body.length()) {
        out.write(body.charAt(++i));
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  /** The index of the quote that closes the one at {@code open}, on the same line. */
  private int closingQuote(String text, int open) throws ZoneFileException {
    int end = open + 1;
    while (end < text.length() && text.charAt(end) != '"') {
      end += text.charAt(end) == '\\' ? 2 : 1;
    }
    if (end >= text.length()) {
      throw fail("a quoted string is not closed on its line");
    }
    return end;
  }

  private int tokenize(String text, List<String> tokens) throws ZoneFileException {
    return tokenize(text, tokens, 0);
  }

  /** Splits a line into tokens (quoted strings whole, comments dropped); returns the open depth. */
  private int tokenize(String text, List<String> tokens, int depth) throws ZoneFileException {
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == ';') {
        break;
      } else if (c == '(') {
        depth++;
        i++;
      } else if (c == ')') {
        if (--depth < 0) {
          throw fail("a ')' without its '('");
        }
        i++;
      } else if (c == '"') {
        int end = closingQuote(text, i);
        tokens.add(text.substring(i, end + 1));
        i = end + 1;
      } else {
        int end = i;
        while (end < text.length()
            && !Character.isWhitespace(text.charAt(end))
            && "();".indexOf(text.charAt(end)) < 0) {
          if (text.charAt(end) == '"') {
            // A quoted part inside a token, as in alpn="h2,h3": it may hold blanks.
            end = closingQuote(text, end);
          }
          end += text.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(end, text.length());
        tokens.add(text.substring(i, end));
        i = end;
      }
    }
    return depth;
  }
}
