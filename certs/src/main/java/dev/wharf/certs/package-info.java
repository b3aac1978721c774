/**
 * {@link dev.wharf.certs.BouncyCastleIssuer}: X.509 certificates built with BouncyCastle's
 * certificate builder and signed through the JDK's own providers (BouncyCastle is not registered as
 * a provider). Found through {@link java.util.ServiceLoader} as a {@link
 * dev.wharf.core.tls.CertificateIssuer}, on the module path (its descriptor) or the class path
 * ({@code META-INF/services}).
 *
 * <p>Threads: stateless; any thread.
 */
package dev.wharf.certs;
