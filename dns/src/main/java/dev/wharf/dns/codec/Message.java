package dev.wharf.dns.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A DNS message (RFC 1035 §4.1): header and the question, answer, authority and additional
 * sections. EDNS, when present, is the OPT record among the additional records ({@link #edns()}).
 *
 * <p>Immutable; any thread.
 */
public record Message(
    Header header,
    List<Question> questions,
    List<ResourceRecord> answers,
    List<ResourceRecord> authority,
    List<ResourceRecord> additional) {

  public Message {
    Objects.requireNonNull(header, "header");
    questions = List.copyOf(questions);
    answers = List.copyOf(answers);
    authority = List.copyOf(authority);
    additional = List.copyOf(additional);
  }

  /** A standard query for one question, RD as asked, without EDNS. */
  public static Message query(int id, Question question, boolean recursionDesired) {
    return new Message(
        Header.query(id, recursionDesired), List.of(question), List.of(), List.of(), List.of());
  }

  /** A standard query for one question, RD as asked, with EDNS. */
  public static Message query(int id, Question question, boolean recursionDesired, Edns edns) {
    return new Message(
        Header.query(id, recursionDesired),
        List.of(question),
        List.of(),
        List.of(),
        List.of(edns.toRecord()));
  }

  /** The EDNS of the OPT record in the additional section, if there is one. */
  public Optional<Edns> edns() {
    for (ResourceRecord record : additional) {
      if (record.type() == RecordType.OPT) {
        return Optional.of(Edns.fromRecord(record));
      }
    }
    return Optional.empty();
  }

  /** The additional records but the OPT pseudo-record, as dig lists them. */
  public List<ResourceRecord> additionalWithoutOpt() {
    var records = new ArrayList<ResourceRecord>(additional.size());
    for (ResourceRecord record : additional) {
      if (record.type() != RecordType.OPT) {
        records.add(record);
      }
    }
    return records;
  }

  /** The full response code: the header's four bits and EDNS's upper eight (RFC 6891 §6.1.3). */
  public int rcode() {
    return header.rcode() | edns().map(e -> e.extendedRcode() << 4).orElse(0);
  }
}
