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
import dev.wharf.packets.decode.PayloadFields;
import dev.wharf.packets.decode.PayloadText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * tcpdump's words for DNS over UDP on port 53 (print-domain.c, without -v: "1234+ [1au] A?
 * example.com. (40)", "1234 1/0/1 A 10.0.0.1 (56)"; with -v each answer's owner name too: "1234
 * 1/0/1 example.com. A 10.0.0.1 (56)") read with Wharf's DNS codec, and for an HTTP/1 request or
 * response on TCP ports 80, 8080 and 3128 read with Wharf's HTTP/1 codec ({@link HttpWords}); and
 * both as {@code --json} layers. Here in the command line, not in the packets module: its decoders
 * depend on no other Wharf module (LayeringTest), and the command line is where the codecs and the
 * packets meet. Immutable; any thread.
 */
final class ApplicationWords implements PayloadText {
  private static final int DNS = 53;
  private static final Set<Integer> HTTP_PORTS = Set.of(80, 8080, 3128);

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
          Optional.of(
              verbose
                  ? HttpWords.verbose(data, offset, length, tcp.payloadLength())
                  : HttpWords.line(data, offset, length));
      default -> Optional.empty();
    };
  }

  @Override
  public Optional<PayloadFields> fields(Layer transport, byte[] data, int offset, int length) {
    return switch (transport) {
      case Layer.Udp udp when udp.sourcePort() == DNS || udp.destinationPort() == DNS ->
          Optional.of(dnsFields(data, offset, length, udp.payloadLength()));
      case Layer.Tcp tcp
          when HTTP_PORTS.contains(tcp.sourcePort())
              || HTTP_PORTS.contains(tcp.destinationPort()) ->
          HttpWords.fields(data, offset, length);
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
   * {@code --json}'s DNS layer: the header's fields, then each section's records ({@code
   * questions}: name, type, class; {@code answers}, {@code authority}, {@code additional}: name,
   * type, class, ttl, data as dig writes it); a message the codec cannot read, its {@code problem}.
   */
  static PayloadFields dnsFields(byte[] data, int offset, int length, int wireLength) {
    var fields = new LinkedHashMap<String, Object>();
    if (wireLength < 12) {
      fields.put("problem", "length " + wireLength + " < 12");
      return new PayloadFields("dns", fields);
    }
    Message message;
    try {
      message = DnsMessageReader.read(Arrays.copyOfRange(data, offset, offset + length));
    } catch (DnsFormatException | IllegalArgumentException e) {
      fields.put("problem", length < wireLength ? "truncated" : String.valueOf(e.getMessage()));
      return new PayloadFields("dns", fields);
    }
    Header header = message.header();
    fields.put("id", header.id());
    fields.put("qr", header.isResponse());
    fields.put("opcode", header.opcode());
    fields.put("rcode", header.rcode());
    fields.put("aa", header.isAuthoritative());
    fields.put("tc", header.isTruncated());
    fields.put("rd", header.recursionDesired());
    fields.put("ra", header.recursionAvailable());
    var questions = new ArrayList<Map<String, Object>>();
    for (Question question : message.questions()) {
      var fieldsOfQuestion = new LinkedHashMap<String, Object>();
      fieldsOfQuestion.put("name", question.name().toString());
      fieldsOfQuestion.put("type", RecordType.name(question.type()));
      fieldsOfQuestion.put("class", RecordClass.name(question.dnsClass()));
      questions.add(fieldsOfQuestion);
    }
    fields.put("questions", questions);
    fields.put("answers", records(message.answers()));
    fields.put("authority", records(message.authority()));
    fields.put("additional", records(message.additional()));
    return new PayloadFields("dns", fields);
  }

  private static List<Map<String, Object>> records(List<ResourceRecord> records) {
    var list = new ArrayList<Map<String, Object>>();
    for (ResourceRecord record : records) {
      var fields = new LinkedHashMap<String, Object>();
      fields.put("name", record.name().toString());
      fields.put("type", RecordType.name(record.type()));
      fields.put("class", RecordClass.name(record.dnsClass()));
      fields.put("ttl", record.ttl());
      fields.put("data", record.data().toText());
      list.add(fields);
    }
    return list;
  }
}
