package dev.wharf.dns;

import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Question;
import dev.wharf.dns.codec.Rcode;
import java.util.Optional;

/**
 * Whether a message is the answer to our query: the checks that make a spoofed or stray datagram be
 * dropped (RFC 5452 §9.1: id, question name, type and class; the source address and port are
 * checked where the datagram arrives).
 *
 * <p>Stateless; any thread.
 */
final class AnswerCheck {
  private AnswerCheck() {}

  /** Why {@code answer} is not the answer to {@code query}, or empty when it is. */
  static Optional<String> mismatch(Message query, Message answer) {
    if (answer.header().id() != query.header().id()) {
      return Optional.of(
          "id " + answer.header().id() + " is not the query's " + query.header().id());
    }
    if (!answer.header().isResponse()) {
      return Optional.of("it is a query, not a response (QR is clear)");
    }
    if (answer.header().opcode() != query.header().opcode()) {
      return Optional.of("opcode " + answer.header().opcode() + " is not the query's");
    }
    Question asked = query.questions().getFirst();
    if (answer.questions().isEmpty()) {
      // A server that could not parse the query may answer FORMERR without echoing it
      // (RFC 6891 §7); a success must echo the question.
      return answer.header().rcode() == Rcode.NOERROR
          ? Optional.of("it holds no question")
          : Optional.empty();
    }
    if (answer.questions().size() != 1 || !answer.questions().getFirst().matches(asked)) {
      return Optional.of("its question " + answer.questions() + " is not " + asked);
    }
    return Optional.empty();
  }
}
