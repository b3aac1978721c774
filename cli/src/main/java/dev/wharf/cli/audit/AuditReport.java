package dev.wharf.cli.audit;

import dev.wharf.cli.Json;
import dev.wharf.inspect.Owner;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;

/**
 * The audit's findings as the user reads them: one sentence per socket, the sensitive ports called
 * out, or one JSON document (fields in docs/cli.md). Immutable; used on the command's thread.
 *
 * @param exposures every listening socket, in the order shown: not allowed first, then allowed,
 *     then those of this host only; by port within each
 */
record AuditReport(List<Exposure> exposures) {

  private static final Comparator<Exposure> ORDER =
      Comparator.comparingInt(AuditReport::rank)
          .thenComparingInt(e -> e.local().port())
          .thenComparing(Exposure::protocol)
          .thenComparing(e -> e.local().host());

  AuditReport {
    exposures = exposures.stream().sorted(ORDER).toList();
  }

  private static int rank(Exposure e) {
    return e.isForbidden() ? 0 : e.reach().fromOutside() ? 1 : 2;
  }

  long reachable() {
    return exposures.stream().filter(e -> e.reach().fromOutside()).count();
  }

  long forbidden() {
    return exposures.stream().filter(Exposure::isForbidden).count();
  }

  /**
   * The sentences, a tag before each ({@code EXPOSED}, {@code allowed}, {@code local}), then a
   * summary line; with {@code onlyForbidden}, the not-allowed ones and the summary alone.
   */
  void writeText(PrintWriter out, boolean onlyForbidden) {
    for (Exposure e : exposures) {
      if (onlyForbidden && !e.isForbidden()) {
        continue;
      }
      String tag = e.isForbidden() ? "EXPOSED" : e.reach().fromOutside() ? "allowed" : "local";
      String because = e.allowedBy().map(rule -> " (" + rule.origin() + ")").orElse("");
      out.printf("%-8s %s%s.%n", tag, e.sentence(), because);
      if (e.reach().fromOutside()) {
        e.sensitive()
            .ifPresent(what -> out.printf("%-8s   port %d is %s.%n", "", e.local().port(), what));
      }
    }
    out.println(summary());
  }

  /**
   * {@code 5 listening sockets: 3 reachable from outside (2 not allowed), 2 from this host only}.
   */
  String summary() {
    long reachable = reachable();
    long forbidden = forbidden();
    long local = exposures.size() - reachable;
    return "wharf audit: "
        + plural(exposures.size(), "listening socket")
        + ": "
        + reachable
        + " reachable from outside ("
        + (forbidden == 0 ? "all allowed" : forbidden + " not allowed")
        + "), "
        + local
        + " from this host only";
  }

  private static String plural(long count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  /** {@code {"listening":5,"reachable":3,"not_allowed":2,"sockets":[...]}}, one socket a line. */
  void writeJson(PrintWriter out) {
    out.print(
        "{\"listening\":"
            + exposures.size()
            + ",\"reachable\":"
            + reachable()
            + ",\"not_allowed\":"
            + forbidden()
            + ",\"sockets\":[");
    for (int i = 0; i < exposures.size(); i++) {
      out.print(i == 0 ? "\n" : ",\n");
      out.print(json(exposures.get(i)));
    }
    out.println(exposures.isEmpty() ? "]}" : "\n]}");
  }

  static String json(Exposure e) {
    var json = new StringBuilder(256);
    json.append("{\"protocol\":").append(Json.quote(e.protocol()));
    json.append(",\"address\":").append(Json.quote(e.local().host()));
    json.append(",\"port\":").append(e.local().port());
    json.append(",\"reach\":").append(Json.quote(e.reach().label()));
    json.append(",\"reachable_from_outside\":").append(e.reach().fromOutside());
    json.append(",\"allowed\":").append(!e.isForbidden());
    json.append(",\"allowed_by\":")
        .append(e.allowedBy().map(rule -> Json.quote(rule.origin())).orElse("null"));
    json.append(",\"sensitive\":").append(e.sensitive().map(Json::quote).orElse("null"));
    json.append(",\"uid\":").append(e.uid() < 0 ? "null" : Integer.toString(e.uid()));
    json.append(",\"processes\":[");
    List<Owner> owners = e.owners().stream().distinct().toList();
    for (int i = 0; i < owners.size(); i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"pid\":")
          .append(owners.get(i).pid())
          .append(",\"command\":")
          .append(Json.quote(owners.get(i).command()))
          .append(",\"fd\":")
          .append(owners.get(i).fd())
          .append('}');
    }
    json.append("],\"sentence\":").append(Json.quote(e.sentence()));
    return json.append('}').toString();
  }
}
