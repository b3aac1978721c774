package dev.wharf.scan;

import java.util.Objects;

/**
 * The result of probing one TCP port. Immutable.
 *
 * @param port the port probed
 * @param state open, closed or filtered
 * @param reason why, in nmap's words ({@code syn-ack}, {@code conn-refused}, {@code no-response},
 *     {@code host-unreach}) or the error the kernel gave
 * @param banner what the service said first, made printable; empty when none was read or asked
 */
public record PortResult(int port, PortState state, String reason, String banner) {
  public PortResult {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(banner, "banner");
  }
}
