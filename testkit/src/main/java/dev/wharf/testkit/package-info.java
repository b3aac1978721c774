/**
 * The tests' shared helpers, for every module's tests (core's too, so it depends on the JDK only):
 * {@link dev.wharf.testkit.Feed} hands bytes to a decoder whole, byte by byte and at seeded random
 * splits; {@link dev.wharf.testkit.Await} waits for a condition with a deadline; {@link
 * dev.wharf.testkit.ExternalProcess} runs a real peer (curl, openssl, nc, ...) and kills it on
 * close; {@link dev.wharf.testkit.TestCertificates} makes a CA and certificates with openssl;
 * {@link dev.wharf.testkit.DeafListener} is a loopback port whose connects hang.
 *
 * <p>Test scope only; called from a test's own thread.
 */
package dev.wharf.testkit;
