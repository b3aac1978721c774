package dev.wharf.http.files;

import dev.wharf.http.codec.HttpDate;
import dev.wharf.http.fields.FieldValues;
import dev.wharf.http.server.ServerRequest;
import java.time.Instant;
import java.util.Optional;

/**
 * The conditional requests of RFC 9110 §13 for a GET or HEAD of one representation, in the order of
 * §13.2.2. Stateless; any thread.
 */
final class Preconditions {
  /** What the conditions decided. */
  enum Outcome {
    PROCEED,
    NOT_MODIFIED,
    FAILED
  }

  private Preconditions() {}

  /** Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since. */
  static Outcome evaluate(ServerRequest request, String etag, Instant modified) {
    Optional<String> ifMatch = request.header("If-Match");
    if (ifMatch.isPresent()) {
      // RFC 9110 §13.1.1: strong comparison; no tag that matches is 412.
      if (!anyTag(ifMatch.get(), tag -> tag.equals(etag))) {
        return Outcome.FAILED;
      }
    } else if (request
        .header("If-Unmodified-Since")
        .flatMap(HttpDate::parse)
        // RFC 9110 §13.1.4: changed after the date the client knows is 412.
        .map(since -> modified.getEpochSecond() > since.getEpochSecond())
        .orElse(false)) {
      return Outcome.FAILED;
    }
    Optional<String> ifNoneMatch = request.header("If-None-Match");
    if (ifNoneMatch.isPresent()) {
      // RFC 9110 §13.1.2: weak comparison; If-Modified-Since is then ignored.
      return anyTag(ifNoneMatch.get(), tag -> tag.equals(etag) || tag.equals("W/" + etag))
          ? Outcome.NOT_MODIFIED
          : Outcome.PROCEED;
    }
    boolean unchanged =
        request
            .header("If-Modified-Since")
            .flatMap(HttpDate::parse)
            .map(since -> modified.getEpochSecond() <= since.getEpochSecond())
            .orElse(false);
    return unchanged ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
  }

  /** RFC 9110 §13.1.5: a Range applies only if the representation is the one the client has. */
  static boolean ifRangeHolds(ServerRequest request, String etag, Instant modified) {
    Optional<String> ifRange = request.header("If-Range");
    if (ifRange.isEmpty()) {
      return true;
    }
    String value = ifRange.get().trim();
    if (value.startsWith("\"")) {
      return value.equals(etag);
    }
    return HttpDate.parse(value)
        .map(date -> date.getEpochSecond() == modified.getEpochSecond())
        .orElse(false);
  }

  /** Whether {@code *} or a tag of the list that {@code matches} is in {@code header}. */
  private static boolean anyTag(String header, java.util.function.Predicate<String> matches) {
    // Quote-aware: an entity-tag may hold a comma (RFC 9110 §8.8.3: etagc includes %x2C).
    for (String tag : FieldValues.list(header)) {
      if (tag.equals("*") || matches.test(tag)) {
        return true;
      }
    }
    return false;
  }
}
