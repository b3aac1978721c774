package dev.wharf.inspect;

import java.util.Optional;

/**
 * A socket's state: the kernel's TCP states (RFC 9293 §3.3.2), which UDP, raw and Unix sockets
 * borrow ({@link #ESTABLISHED} when connected, {@link #CLOSE} when not, {@link #LISTEN} for a Unix
 * listener). {@link #ssName} is how {@code ss} prints it. Immutable; any thread.
 */
public enum SocketState {
  ESTABLISHED(1, "ESTAB"),
  SYN_SENT(2, "SYN-SENT"),
  SYN_RECV(3, "SYN-RECV"),
  FIN_WAIT_1(4, "FIN-WAIT-1"),
  FIN_WAIT_2(5, "FIN-WAIT-2"),
  TIME_WAIT(6, "TIME-WAIT"),
  /** Closed, or for UDP, raw and Unix datagram sockets: not connected. */
  CLOSE(7, "UNCONN"),
  CLOSE_WAIT(8, "CLOSE-WAIT"),
  LAST_ACK(9, "LAST-ACK"),
  LISTEN(10, "LISTEN"),
  CLOSING(11, "CLOSING");

  private final int code;
  private final String ssName;

  SocketState(int code, String ssName) {
    this.code = code;
    this.ssName = ssName;
  }

  /** The kernel's number for the state ({@code TCP_ESTABLISHED} is 1, {@code TCP_LISTEN} 10). */
  public int code() {
    return code;
  }

  /** The name {@code ss} prints ({@code ESTAB}, {@code TIME-WAIT}, {@code UNCONN}, ...). */
  public String ssName() {
    return ssName;
  }

  /**
   * The state with the kernel's number {@code code}; 12 ({@code TCP_NEW_SYN_RECV}, a request not
   * yet accepted) is {@link #SYN_RECV}, as the kernel itself reports it over sock_diag.
   */
  public static Optional<SocketState> ofCode(int code) {
    if (code == 12) {
      return Optional.of(SYN_RECV);
    }
    for (SocketState state : values()) {
      if (state.code == code) {
        return Optional.of(state);
      }
    }
    return Optional.empty();
  }
}
