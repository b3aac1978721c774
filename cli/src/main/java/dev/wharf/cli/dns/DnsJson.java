package dev.wharf.cli.dns;

import dev.wharf.cli.Json;
import dev.wharf.dns.DnsResponse;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Opcode;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.Rcode;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A response as one JSON object (RFC 8259): header fields, flags as a list, the sections as lists
 * of records with their data in presentation format, EDNS, and the statistics. Pure formatting; any
 * thread.
 */
final class DnsJson {
  private DnsJson() {}

  static String of(DnsResponse response, ZonedDateTime when) {
    Message message = response.message();
    var out = new StringBuilder("{");
    field(out, "id", Integer.toString(message.header().id()));
    field(out, "opcode", Json.quote(Opcode.name(message.header().opcode())));
    field(out, "status", Json.quote(Rcode.name(message.rcode())));
    var flags = new StringBuilder("[");
    for (String flag : message.header().flagNames().split(" ")) {
      if (!flag.isEmpty()) {
        flags.append(flags.length() > 1 ? "," : "").append(Json.quote(flag));
      }
    }
    field(out, "flags", flags.append(']').toString());
    var questions = new StringBuilder("[");
    for (Question q : message.questions()) {
      questions
          .append(questions.length() > 1 ? "," : "")
          .append("{\"name\":")
          .append(Json.quote(q.name().toString()))
          .append(",\"class\":")
          .append(Json.quote(RecordClass.name(q.dnsClass())))
          .append(",\"type\":")
          .append(Json.quote(RecordType.name(q.type())))
          .append('}');
    }
    field(out, "question", questions.append(']').toString());
    field(out, "answer", records(message.answers()));
    field(out, "authority", records(message.authority()));
    field(out, "additional", records(message.additionalWithoutOpt()));
    if (message.edns().isPresent()) {
      Edns edns = message.edns().get();
      field(
          out,
          "edns",
          "{\"version\":"
              + edns.version()
              + ",\"udp\":"
              + edns.udpPayloadSize()
              + ",\"do\":"
              + edns.dnssecOk()
              + "}");
    }
    field(out, "server", Json.quote(DigText.server(response.server())));
    field(out, "transport", Json.quote(response.transport().label()));
    field(out, "query_time_ms", Long.toString(response.elapsed().toMillis()));
    field(out, "when", Json.quote(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(when)));
    field(out, "size", Integer.toString(response.size()));
    return out.append("}\n").toString();
  }

  private static String records(List<ResourceRecord> records) {
    var out = new StringBuilder("[");
    for (ResourceRecord r : records) {
      out.append(out.length() > 1 ? "," : "")
          .append("{\"name\":")
          .append(Json.quote(r.name().toString()))
          .append(",\"ttl\":")
          .append(r.ttl())
          .append(",\"class\":")
          .append(Json.quote(RecordClass.name(r.dnsClass())))
          .append(",\"type\":")
          .append(Json.quote(RecordType.name(r.type())))
          .append(",\"data\":")
          .append(Json.quote(r.data().toText()))
          .append('}');
    }
    return out.append(']').toString();
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(out.length() > 1 ? "," : "").append(Json.quote(name)).append(':').append(value);
  }
}
