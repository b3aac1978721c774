package dev.wharf.load.internal;

import dev.wharf.load.ErrorKind;
import java.io.IOException;

/** A connection failed in a way the report counts as {@code kind}. */
final class LoadFailure extends IOException {
  private static final long serialVersionUID = 1L;

  final transient ErrorKind kind;

  LoadFailure(ErrorKind kind, String message) {
    super(message);
    this.kind = kind;
  }
}
