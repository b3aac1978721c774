package dev.wharf.core;

import java.util.Objects;

/** What a new connection is configured with: socket options, timeouts and watermarks. */
record ConnectionSettings(SocketOptions options, Timeouts timeouts, Watermarks watermarks) {
  static final ConnectionSettings DEFAULTS =
      new ConnectionSettings(SocketOptions.DEFAULTS, Timeouts.DEFAULTS, Watermarks.DEFAULTS);

  ConnectionSettings {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(watermarks, "watermarks");
  }
}
