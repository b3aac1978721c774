/**
 * TLS over the engine's connections: server and client configurations ({@link
 * dev.wharf.core.tls.TlsServerConfig}, {@link dev.wharf.core.tls.TlsClientConfig}), identities and
 * trust read from PEM or PKCS#12 files and reloaded when they change, public key pins, and the
 * {@link dev.wharf.core.tls.TlsProtocol} that runs an {@code SSLEngine} between the socket and the
 * application's protocol.
 *
 * <p>Threads: configurations, identities, trust and sessions are immutable (or swap their state
 * atomically) and may be shared by every thread; build them before binding or connecting, since
 * building reads files. {@code TlsProtocol} and its connection view run on the connection's loop;
 * the view's methods called off the loop hop to it as {@code Connection}'s do. A changed
 * certificate is reloaded on a virtual thread ({@code wharf-tls-reload}), never on a loop.
 */
package dev.wharf.core.tls;
