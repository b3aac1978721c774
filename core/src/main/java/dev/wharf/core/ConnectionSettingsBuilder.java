package dev.wharf.core;

import java.util.Objects;

/**
 * The part of {@link Client.Builder} and {@link Server.Builder} that configures each connection:
 * the event loops it runs on, its socket options, timeouts and watermarks. One place, so that the
 * two builders cannot drift apart in what they accept or default to.
 *
 * <p>Not thread-safe, as the builders that extend it: configure on one thread, then build.
 *
 * @param <B> the builder that extends it, so that each setter returns it for chaining
 */
abstract class ConnectionSettingsBuilder<B extends ConnectionSettingsBuilder<B>> {
  final EventLoopGroup group;
  SocketOptions options = SocketOptions.DEFAULTS;
  private Timeouts timeouts = Timeouts.DEFAULTS;
  private Watermarks watermarks = Watermarks.DEFAULTS;

  ConnectionSettingsBuilder(EventLoopGroup group) {
    this.group = Objects.requireNonNull(group, "group");
  }

  /** This builder, as the type that extends this class. */
  abstract B self();

  public B options(SocketOptions value) {
    this.options = Objects.requireNonNull(value);
    return self();
  }

  public B timeouts(Timeouts value) {
    this.timeouts = Objects.requireNonNull(value);
    return self();
  }

  public B watermarks(Watermarks value) {
    this.watermarks = Objects.requireNonNull(value);
    return self();
  }

  /** What each connection is configured with. */
  ConnectionSettings settings() {
    return new ConnectionSettings(options, timeouts, watermarks);
  }
}
