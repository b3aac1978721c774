package dev.wharf.core;

/** The kind of socket underneath a connection or listener. */
public enum Transport {
  TCP,
  UDP,
  UNIX;

  /** The lower-case name used in tables and logs ({@code tcp}, {@code udp}, {@code unix}). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
