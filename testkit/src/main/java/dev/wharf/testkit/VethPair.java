package dev.wharf.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two named network namespaces joined by a veth pair, both ends up with the addresses given, both
 * loopbacks up: a real Ethernet link (ARP, neighbour discovery, checksums checked by the receiving
 * kernel) that no other test and nothing on the machine sees. Named {@code PREFIX + "A" + id} and
 * {@code PREFIX + "B" + id}, the ends {@code a + id} and {@code b + id} (a random five-digit id, so
 * that tests running at once do not meet). {@link #close} deletes both namespaces, and with them
 * the pair. Needs root ({@code ip netns add}).
 *
 * <p>Made and closed by a test's thread.
 */
public final class VethPair implements AutoCloseable {
  private static final Duration STEP = Duration.ofSeconds(20);

  private final String here;
  private final String there;
  private final String hereLink;
  private final String thereLink;

  private VethPair(String prefix, String id) {
    this.here = prefix + "A" + id;
    this.there = prefix + "B" + id;
    this.hereLink = prefix.charAt(0) + "a" + id;
    this.thereLink = prefix.charAt(0) + "b" + id;
  }

  /**
   * Makes the namespaces and the pair.
   *
   * @param prefix two or three letters that say whose namespaces these are ({@code ip netns list})
   * @param hereAddresses addresses with prefix lengths for the first end ({@code 10.77.0.1/24},
   *     {@code fd77::1/64}; IPv6 ones without duplicate address detection, usable at once)
   * @param thereAddresses the same for the other end
   * @throws IOException where {@code ip} fails (its words), after removing what was made
   */
  public static VethPair create(
      String prefix, List<String> hereAddresses, List<String> thereAddresses) throws IOException {
    if (prefix.isEmpty() || prefix.length() > 3) {
      throw new IllegalArgumentException("prefix must be 1 to 3 characters, got " + prefix);
    }
    var pair =
        new VethPair(prefix, Integer.toString(ThreadLocalRandom.current().nextInt(10_000, 99_999)));
    try {
      pair.setUp(hereAddresses, thereAddresses);
      return pair;
    } catch (IOException | RuntimeException e) {
      pair.close();
      throw e;
    }
  }

  private void setUp(List<String> hereAddresses, List<String> thereAddresses) throws IOException {
    ip("netns", "add", here);
    ip("netns", "add", there);
    ip("link", "add", hereLink, "type", "veth", "peer", "name", thereLink);
    ip("link", "set", hereLink, "netns", here);
    ip("link", "set", thereLink, "netns", there);
    addAddresses(here, hereLink, hereAddresses);
    addAddresses(there, thereLink, thereAddresses);
    for (String namespace : List.of(here, there)) {
      ip("-n", namespace, "link", "set", namespace.equals(here) ? hereLink : thereLink, "up");
      ip("-n", namespace, "link", "set", "lo", "up");
    }
  }

  private static void addAddresses(String namespace, String link, List<String> addresses)
      throws IOException {
    for (String address : addresses) {
      var command = new ArrayList<>(List.of("-n", namespace, "addr", "add", address, "dev", link));
      if (address.contains(":")) {
        command.add("nodad");
      }
      ip(command.toArray(String[]::new));
    }
  }

  /** The first namespace's name. */
  public String here() {
    return here;
  }

  /** The second namespace's name. */
  public String there() {
    return there;
  }

  /** The end of the pair in {@link #here()}. */
  public String hereLink() {
    return hereLink;
  }

  /** The end of the pair in {@link #there()}. */
  public String thereLink() {
    return thereLink;
  }

  /** The words that run a command in {@link #here()}: {@code ip netns exec HERE}. */
  public List<String> inHere() {
    return List.of("ip", "netns", "exec", here);
  }

  /** The words that run a command in {@link #there()}. */
  public List<String> inThere() {
    return List.of("ip", "netns", "exec", there);
  }

  /** Runs {@code script} with {@code sh -c} in {@link #here()}, to its end (20 s at most). */
  public ExternalProcess.Result shHere(String script) throws IOException {
    return sh(here, script);
  }

  /** Runs {@code script} with {@code sh -c} in {@link #there()}, to its end (20 s at most). */
  public ExternalProcess.Result shThere(String script) throws IOException {
    return sh(there, script);
  }

  private static ExternalProcess.Result sh(String namespace, String script) throws IOException {
    return ExternalProcess.run(STEP, "ip", "netns", "exec", namespace, "sh", "-c", script);
  }

  private static void ip(String... words) throws IOException {
    var command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(words));
    var result = ExternalProcess.run(STEP, command);
    if (result.exit() != 0) {
      throw new IOException(String.join(" ", command) + ": " + result.err().strip());
    }
  }

  /** Deletes both namespaces; deleting one removes its end of the pair, and with it the other. */
  @Override
  public void close() throws IOException {
    ExternalProcess.run(STEP, "ip", "netns", "del", here);
    ExternalProcess.run(STEP, "ip", "netns", "del", there);
  }
}
