package dev.wharf.inspect;

/**
 * What kind of socket an entry is: the transport, and for Unix-domain sockets the socket type. Its
 * {@link #netid} is the name {@code ss} prints in its first column. Immutable; any thread.
 */
public enum SocketKind {
  TCP("tcp"),
  UDP("udp"),
  RAW("raw"),
  UNIX_STREAM("u_str"),
  UNIX_DGRAM("u_dgr"),
  UNIX_SEQPACKET("u_seq");

  private final String netid;

  SocketKind(String netid) {
    this.netid = netid;
  }

  /** The name {@code ss} gives this kind ({@code tcp}, {@code u_str}, ...). */
  public String netid() {
    return netid;
  }

  /** Whether this is a Unix-domain socket (as opposed to an Internet one). */
  public boolean isUnix() {
    return this == UNIX_STREAM || this == UNIX_DGRAM || this == UNIX_SEQPACKET;
  }
}
