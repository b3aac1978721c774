package dev.wharf.dns.server;

import java.nio.file.Path;

/**
 * A master file that cannot be read as RFC 1035 §5 says: the file, the line and what is wrong.
 *
 * <p>Immutable; any thread.
 */
public final class ZoneFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public ZoneFileException(Path file, int line, String reason) {
    super(file + ":" + line + ": " + reason);
  }

  /** A fault of the file as a whole (no SOA, a record outside the zone). */
  public ZoneFileException(Path file, String reason) {
    super(file + ": " + reason);
  }
}
