package dev.wharf.cli.dns;

import dev.wharf.core.Transport;
import dev.wharf.dns.DnsResolver;
import dev.wharf.dns.DnsResponse;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.EdnsOption;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Opcode;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.Rcode;
import dev.wharf.dns.codec.RecordClass;
import dev.wharf.dns.codec.RecordType;
import dev.wharf.dns.codec.ResourceRecord;
import java.net.InetSocketAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A response as dig prints it: the header, the OPT pseudosection, the four sections and the
 * statistics; or with {@code +short} only the answers' data. Pure formatting; any thread.
 */
final class DigText {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss zzz yyyy", Locale.ROOT);

  private DigText() {}

  /** {@code +short}: each answer's data on a line of its own. */
  static String brief(Message message) {
    var out = new StringBuilder();
    for (ResourceRecord record : message.answers()) {
      out.append(record.data().toText()).append('\n');
    }
    return out.toString();
  }

  static String full(
      String commandLine, DnsResponse response, boolean retriedOverTcp, ZonedDateTime when) {
    Message message = response.message();
    Header header = message.header();
    var out = new StringBuilder();
    out.append('\n').append("; <<>> wharf dns <<>> ").append(commandLine).append('\n');
    if (retriedOverTcp) {
      out.append(";; Truncated, retrying in TCP mode.\n");
    }
    out.append(";; Got answer:\n");
    out.append(";; ->>HEADER<<- opcode: ")
        .append(Opcode.name(header.opcode()))
        .append(", status: ")
        .append(Rcode.name(message.rcode()))
        .append(", id: ")
        .append(header.id())
        .append('\n');
    out.append(";; flags: ")
        .append(header.flagNames())
        .append("; QUERY: ")
        .append(message.questions().size())
        .append(", ANSWER: ")
        .append(message.answers().size())
        .append(", AUTHORITY: ")
        .append(message.authority().size())
        .append(", ADDITIONAL: ")
        .append(message.additional().size())
        .append('\n');
    if (header.recursionDesired() && !header.recursionAvailable()) {
      out.append(";; WARNING: recursion requested but not available\n");
    }
    out.append('\n');
    Optional<Edns> edns = message.edns();
    if (edns.isPresent()) {
      out.append(";; OPT PSEUDOSECTION:\n; EDNS: ").append(edns.get().toText()).append('\n');
      for (EdnsOption option : edns.get().options()) {
        out.append("; ").append(option.toText()).append('\n');
      }
    }
    if (!message.questions().isEmpty()) {
      out.append(";; QUESTION SECTION:\n");
      for (Question question : message.questions()) {
        out.append(question(question)).append('\n');
      }
      out.append('\n');
    }
    section(out, "ANSWER", message.answers());
    section(out, "AUTHORITY", message.authority());
    section(out, "ADDITIONAL", message.additionalWithoutOpt());
    out.append(";; Query time: ").append(response.elapsed().toMillis()).append(" msec\n");
    out.append(";; SERVER: ")
        .append(server(response.server()))
        .append('(')
        .append(address(response.server()))
        .append(") (")
        .append(response.transport() == Transport.TCP ? "TCP" : "UDP")
        .append(")\n");
    out.append(";; WHEN: ").append(WHEN.format(when)).append('\n');
    out.append(";; MSG SIZE  rcvd: ").append(response.size()).append("\n\n");
    return out.toString();
  }

  private static void section(StringBuilder out, String name, List<ResourceRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    out.append(";; ").append(name).append(" SECTION:\n");
    for (ResourceRecord record : records) {
      out.append(record.toText()).append('\n');
    }
    out.append('\n');
  }

  /** {@code ;name. IN A}: as a record's columns, without the TTL. */
  static String question(Question question) {
    var line = new StringBuilder(";").append(question.name());
    tabTo(line, 32);
    line.append(RecordClass.name(question.dnsClass()));
    tabTo(line, 40);
    return line.append(RecordType.name(question.type())).toString();
  }

  private static void tabTo(StringBuilder line, int column) {
    int at = 0;
    for (int i = 0; i < line.length(); i++) {
      at = line.charAt(i) == '\t' ? (at / 8 + 1) * 8 : at + 1;
    }
    if (at >= column) {
      line.append(' ');
    }
    while (at < column) {
      line.append('\t');
      at = (at / 8 + 1) * 8;
    }
  }

  /** The server as dig names it: {@code 127.0.0.1#53}, {@code ::1#5353}. */
  static String server(InetSocketAddress server) {
    return DnsResolver.describe(server);
  }

  static String address(InetSocketAddress server) {
    return DnsResolver.address(server);
  }
}
