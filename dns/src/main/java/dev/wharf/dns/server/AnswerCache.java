package dev.wharf.dns.server;

import dev.wharf.dns.codec.DnsName;
import dev.wharf.dns.codec.Edns;
import dev.wharf.dns.codec.Header;
import dev.wharf.dns.codec.Message;
import dev.wharf.dns.codec.Question;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers already written, by what makes them: the question (name in lower case, type, class), the
 * opcode and RD, whether the query had EDNS and DO, and the size limit the answer was cut to. Zones
 * do not change under an {@link Authority}, so neither does its answer to the same question; a
 * repeated question costs a lookup and a copy instead of the search and the encoding, as NSD's
 * precompiled answers do. A reload makes a new cache with the new authority.
 *
 * <p>A copy goes out with the query's id and the query's own spelling of the name in the question
 * (clients that randomise letter case, "0x20", check it); names compressed against it follow.
 *
 * <p>Bounded: at {@value #MAX_ENTRIES} entries it starts again empty, so questions for ever-new
 * names (a random-subdomain flood) cost memory no more than that.
 *
 * <p>Thread-safe.
 */
final class AnswerCache {
  static final int MAX_ENTRIES = 10_000;
  private static final int HEADER_LENGTH = 12;

  private record Key(String name, int type, int dnsClass, int opcodeAndRd, int edns, int limit) {}

  private final Map<Key, byte[]> answers = new ConcurrentHashMap<>();

  /**
   * The answer to {@code query} cut to {@code limit} octets, from the cache or written by {@code
   * write} and kept; null when {@code write} gives none.
   */
  byte[] answer(Message query, int limit, java.util.function.Function<Message, byte[]> write) {
    if (query.questions().size() != 1) {
      return write.apply(query); // FORMERR and the like: not worth a key
    }
    Question question = query.questions().getFirst();
    Optional<Edns> edns = query.edns();
    var key =
        new Key(
            question.name().canonicalKey(),
            question.type(),
            question.dnsClass(),
            query.header().flags() & (0x7800 | Header.RD),
            edns.isEmpty() ? -1 : edns.get().dnssecOk() ? 1 : 0,
            limit);
    byte[] cached = answers.get(key);
    if (cached == null) {
      cached = write.apply(query);
      if (cached == null) {
        return null;
      }
      if (answers.size() >= MAX_ENTRIES) {
        answers.clear();
      }
      answers.put(key, cached);
    }
    byte[] answer = cached.clone();
    int id = query.header().id();
    answer[0] = (byte) (id >> 8);
    answer[1] = (byte) id;
    spellAsAsked(answer, question.name());
    return answer;
  }

  /** Writes the query's name, letter case as sent, over the question's (the same length). */
  private static void spellAsAsked(byte[] answer, DnsName name) {
    name.writeLabels(answer, HEADER_LENGTH);
  }
}
