package dev.wharf.packets;

import java.io.IOException;

/**
 * A socket call the kernel refused, with its {@code errno} (0 where no call was made: native access
 * refused, not Linux). Callers branch on {@link #isPermissionDenied()}, never on the text.
 */
public final class PacketSocketException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  public PacketSocketException(int errno, String message) {
    super(message);
    this.errno = errno;
  }

  /** The errno of the failed call, 0 where none was made. */
  public int errno() {
    return errno;
  }

  /** EPERM or EACCES: the process lacks CAP_NET_RAW (or the ping group range excludes it). */
  public boolean isPermissionDenied() {
    return errno == 1 || errno == 13;
  }
}
