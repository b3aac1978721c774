package dev.wharf.cli.packets;

import dev.wharf.dns.codec.DnsFormatException;
import dev.wharf.dns.codec.DnsMessageReader;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.RData;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import dev.wharf.packets.decode.Layer;
import dev.wharf.packets.decode.PayloadText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * tcpdump's words for DNS over UDP on port 53 (print-domain.c, without -v: "1234+ [1au] A?
 * example.com. (40)", "1234 1/0/1 A 10.0.0.1 (56)"; with -v each answer's owner name too: "1234
 * 1/0/1 example.com. A 10.0.0.1 (56)") read with Wharf's DNS codec, and for an HTTP/1 request or
 * response on TCP ports 80, 8080 and 3128 (print-http.c: "HTTP: GET / HTTP/1.1"; with -v its length
 * and every text line, each on a line of its own after a tab, as txtproto_print). Here in the
 * command line, not in the packets module: its decoders depend on no other Wharf module
 * (LayeringTest), and the command line is where the DNS codec and the packets meet. Immutable; any
 * thread.
 */
final class ApplicationWords implements PayloadText {
  private static final int DNS = 53;
  private static final Set<Integer> HTTP_PORTS = Set.of(80, 8080, 3128);

  /** print-http.c's request methods (and "HTTP/" for a status line). */
  private static final Set<String> METHODS =
      Set.of(
          "OPTIONS",
          "GET",
          "HEAD",
          "POST",
          "PUT",
          "DELETE",
          "TRACE",
          "CONNECT",
          "PATCH",
          "PROPFIND",
          "PROPPATCH",
          "MKCOL",
          "COPY",
          "MOVE",
          "LOCK",
          "UNLOCK",
          "ORDERPATCH",
          "ACL");

  /** print-domain.c's ns_ops: the opcode after the id (QUERY says nothing). */
  private static final String[] OPCODES = {
    "",
    " inv_q",
    " stat",
    " op3",
    " notify",
    " update",
    " op6",
    " op7",
    " op8",
    " updateA",
    " updateD",
    " updateDA",
    " updateM",
    " updateMA",
    " zoneInit",
    " zoneRef"
  };

  private final boolean verbose;

  /** tcpdump's words without -v. */
  ApplicationWords() {
    this(false);
  }

  /** tcpdump's words, with -v's where {@code verbose}. */
  ApplicationWords(boolean verbose) {
    this.verbose = verbose;
  }

  @Override
  public Optional<String> describe(Layer transport, byte[] data, int offset, int length) {
    return switch (transport) {
      case Layer.Udp udp when udp.sourcePort() == DNS || udp.destinationPort() == DNS ->
          Optional.of(dns(data, offset, length, udp.payloadLength(), verbose));
      case Layer.Tcp tcp
          when HTTP_PORTS.contains(tcp.sourcePort())
              || HTTP_PORTS.contains(tcp.destinationPort()) ->
          verbose
              ? httpVerbose(data, offset, length, tcp.payloadLength())
              : http(data, offset, length);
      default -> Optional.empty();
    };
  }

  /** The DNS message's line, its length in parentheses; tcpdump's marks where it is cut short. */
  static String dns(byte[] data, int offset, int length, int wireLength, boolean verbose) {
    if (wireLength < 12) {
      return "domain [length " + wireLength + " < 12] (invalid)";
    }
    Message message;
    try {
      message = DnsMessageReader.read(Arrays.copyOfRange(data, offset, offset + length));
    } catch (DnsFormatException | IllegalArgumentException e) {
      return "[|domain]";
    }
    Header header = message.header();
    var text = new StringBuilder().append(header.id()).append(OPCODES[header.opcode() & 15]);
    int additional = message.additional().size();
    if (header.isResponse()) {
      text.append(rcode(header.rcode()));
      text.append(header.isAuthoritative() ? "*" : "");
      text.append(header.recursionAvailable() ? "" : "-");
      text.append(header.isTruncated() ? "|" : "");
      if (message.questions().size() != 1) {
        text.append(" [").append(message.questions().size()).append("q]");
      }
      text.append(' ').append(message.answers().size()).append('/');
      text.append(message.authority().size()).append('/').append(additional);
      for (int i = 0; i < message.answers().size(); i++) {
        text.append(i == 0 ? "" : ",").append(record(message.answers().get(i), verbose));
      }
    } else {
      text.append(header.recursionDesired() ? "+" : "");
      text.append(header.has(Header.CD) ? "%" : "");
      // print-domain.c names the bits a query should not have: AA, TC, RA, Z, AD, rcode.
      int odd = header.flags() & 0x6cf;
      if (odd != 0) {
        text.append(" [b2&3=0x").append(Integer.toHexString(header.flags())).append(']');
      }
      if (message.questions().size() != 1) {
        text.append(" [").append(message.questions().size()).append("q]");
      }
      if (!message.answers().isEmpty()) {
        text.append(" [").append(message.answers().size()).append("a]");
      }
      if (!message.authority().isEmpty()) {
        text.append(" [").append(message.authority().size()).append("n]");
      }
      if (additional > 0) {
        text.append(" [").append(additional).append("au]");
      }
      if (!message.questions().isEmpty()) {
        text.append(question(message.questions().getFirst()));
      }
    }
    return text.append(" (").append(wireLength).append(')').toString();
  }

  /** ns_qprint: " A? example.com.", the class named where it is not IN. */
  private static String question(Question question) {
    String type = " " + RecordType.name(question.type());
    String dnsClass =
        question.dnsClass() == RecordClass.IN
            ? "?"
            : " " + RecordClass.name(question.dnsClass()) + "?";
    return type + dnsClass + " " + question.name();
  }

  /**
   * ns_rprint: " A 10.0.0.1", " CNAME www.example.com.", others by type only; with -v the owner
   * name first (" example.com. A 10.0.0.1"). (-v's SOA fields and -vv's TTL are not printed yet.)
   */
  private static String record(ResourceRecord record, boolean verbose) {
    var text = new StringBuilder();
    if (verbose) {
      text.append(' ').append(record.name());
    }
    if (record.dnsClass() != RecordClass.IN && record.type() != RecordType.OPT) {
      text.append(' ').append(RecordClass.name(record.dnsClass()));
    }
    text.append(' ').append(RecordType.name(record.type()));
    switch (record.data()) {
      case RData.A a -> text.append(' ').append(a.toText());
      case RData.Aaaa aaaa -> text.append(' ').append(aaaa.toText());
      case RData.Target target -> text.append(' ').append(target.toText());
      case RData.Mx mx ->
          text.append(' ').append(mx.exchange()).append(' ').append(mx.preference());
      case RData.Txt txt -> text.append(' ').append(txt.toText());
      default -> {
        // print-domain.c prints the rest (SOA, SRV...) with -v only.
      }
    }
    return text.toString();
  }

  private static String rcode(int rcode) {
    return switch (rcode) {
      case 0 -> "";
      case 1 -> " FormErr";
      case 2 -> " ServFail";
      case 3 -> " NXDomain";
      case 4 -> " NotImp";
      case 5 -> " Refused";
      case 6 -> " YXDomain";
      case 7 -> " YXRRSet";
      case 8 -> " NXRRSet";
      case 9 -> " NotAuth";
      case 10 -> " NotZone";
      default -> " Resp" + rcode;
    };
  }

  /**
   * "HTTP: " and the first line, where the segment starts as a request (a method print-http.c
   * knows, then a space) or a status line ("HTTP/"); "HTTP" alone otherwise (a body's segment), as
   * txtproto_print says.
   */
  static Optional<String> http(byte[] data, int offset, int length) {
    int end = offset;
    int limit = offset + Math.min(length, 300);
    while (end < limit && data[end] != '\r' && data[end] != '\n') {
      end++;
    }
    String line = new String(data, offset, end - offset, StandardCharsets.ISO_8859_1);
    int space = line.indexOf(' ');
    boolean request = space > 0 && METHODS.contains(line.substring(0, space));
    if (!request && !line.startsWith("HTTP/")) {
      return Optional.of("HTTP");
    }
    var text = new StringBuilder("HTTP: ");
    for (char c : line.toCharArray()) {
      // txtproto_print escapes what is not printable ASCII.
      if (c >= 0x20 && c < 0x7f) {
        text.append(c);
      } else {
        text.append(String.format("\\0x%02x", (int) c));
      }
    }
    return Optional.of(text.toString());
  }

  /**
   * -v's words for HTTP (txtproto_print): for a request or a response, "HTTP, length: N", then each
   * text line after a newline and a tab, up to the first that is not printable ASCII (that one not
   * printed) or the end of what was captured (a last line without its end printed as it is); for
   * anything else (a body's segment) "HTTP" alone.
   */
  static Optional<String> httpVerbose(byte[] data, int offset, int length, int payloadLength) {
    if (http(data, offset, length).orElse("HTTP").equals("HTTP")) {
      return Optional.of("HTTP");
    }
    var text = new StringBuilder("HTTP, length: ").append(payloadLength);
    int end = offset + length;
    int start = offset;
    int at = offset;
    while (at < end) {
      int c = data[at] & 0xff;
      if (c == '\n' || c == '\r' && at + 1 < end && data[at + 1] == '\n') {
        // A line ends (LF, or CR LF): printed without its end.
        appendLine(text, data, start, at);
        at += c == '\n' ? 1 : 2;
        start = at;
      } else if (c == '\r' || (c < 0x20 || c >= 0x7f) && c != '\t') {
        // A CR at the end of what was captured, or not followed by LF, or a byte that is not
        // printable text: treated as binary, not printed.
        return Optional.of(text.toString());
      } else {
        at++;
      }
    }
    if (start < end) {
      appendLine(text, data, start, end); // printable to the end, its line end not captured
    }
    return Optional.of(text.toString());
  }

  private static void appendLine(StringBuilder text, byte[] data, int from, int to) {
    text.append("\n\t").append(new String(data, from, to - from, StandardCharsets.ISO_8859_1));
  }
}
