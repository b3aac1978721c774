package dev.wharf.cli.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields of dig's (or {@code wharf dns}'s) default output that two runs of the same query must
 * share: opcode, status, flags, counts, and each section's records with their whitespace
 * normalized, sorted (a server may order a set differently from one answer to the next).
 */
record DigOutput(
    String opcode,
    String status,
    String flags,
    String counts,
    String edns,
    Map<String, List<String>> sections,
    String transport) {

  private static final Pattern HEADER =
      Pattern.compile(";; ->>HEADER<<- opcode: (\\w+), status: (\\w+), id: \\d+");
  private static final Pattern FLAGS = Pattern.compile(";; flags:([^;]*); (.*)");
  private static final Pattern SERVER = Pattern.compile(";; SERVER: .*\\((UDP|TCP)\\)");

  static DigOutput parse(String text) {
    String opcode = null;
    String status = null;
    String flags = null;
    String counts = null;
    String edns = null;
    String transport = null;
    var sections = new TreeMap<String, List<String>>();
    List<String> current = null;
    for (String line : text.lines().toList()) {
      Matcher m;
      if ((m = HEADER.matcher(line)).matches()) {
        opcode = m.group(1);
        status = m.group(2);
      } else if ((m = FLAGS.matcher(line)).matches()) {
        flags = m.group(1).strip();
        counts = m.group(2).strip();
      } else if (line.startsWith("; EDNS: ")) {
        edns = line;
      } else if ((m = SERVER.matcher(line)).matches()) {
        transport = m.group(1);
      } else if (line.startsWith(";; ") && line.endsWith(" SECTION:")) {
        current = new ArrayList<>();
        sections.put(line.substring(3, line.length() - " SECTION:".length()), current);
      } else if (line.isBlank()) {
        current = null;
      } else if (current != null) {
        current.add(String.join(" ", line.strip().split("\\s+")));
      }
    }
    sections.values().forEach(list -> list.sort(null));
    return new DigOutput(opcode, status, flags, counts, edns, sections, transport);
  }
}
