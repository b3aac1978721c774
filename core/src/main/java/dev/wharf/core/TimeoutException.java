package dev.wharf.core;

import java.io.IOException;

/** A connection phase (connect, idle, read, write) took longer than its configured timeout. */
public final class TimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  public TimeoutException(String message) {
    super(message);
  }
}
