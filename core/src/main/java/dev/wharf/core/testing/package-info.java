/**
 * Test harnesses that other modules' tests use too: {@link
 * dev.wharf.core.testing.EmbeddedConnection} runs a protocol with no socket, {@link
 * dev.wharf.core.testing.FakeClock} moves only when told, and {@link
 * dev.wharf.core.testing.CapturedLog} takes the log records a test expects.
 *
 * <p>A test that expects a failure captures its log, so a green build reads green: when a test
 * makes a handler, task or listener throw on purpose, it wraps that part in {@code try (var log =
 * CapturedLog.expect(TheClassThatLogs.class, Level.WARNING, TheExceptionType.class))} and asserts
 * the record came ({@code log.await(timeout)}, or {@code log.records()} when the log is written on
 * the test's own thread). Only the records it names are taken; anything else still prints, so an
 * unexpected failure is never hidden. No logging configuration file turns the build quiet.
 */
package dev.wharf.core.testing;
