/**
 * Wharf's engine: event loops over {@code java.nio}, TCP, UDP and Unix-domain transports, and TLS.
 * No dependencies beyond the JDK. {@code dev.wharf.core.internal} (buffer pool, timer wheel) is not
 * exported: only this module may use it.
 */
module dev.wharf.core {
  requires jdk.net; // TCP keep-alive options (ExtendedSocketOptions)
  requires transitive java.logging; // core.testing.CapturedLog hands out java.util.logging types

  exports dev.wharf.core;
  exports dev.wharf.core.tls;
  exports dev.wharf.core.testing;
}
