/**
 * TLS for the commands: the client options ({@code --cacert}, {@code --cert}, {@code --pin}, {@code
 * --insecure}, ...) and the server options ({@code --cert}/{@code --key}, {@code --pkcs12}, a
 * self-signed certificate made and kept on first use), PEM loading, what a failed handshake means
 * in the user's words, and the handshake summary {@code -v} tells.
 *
 * <p>Threads: the options are parsed and turned into a {@code TlsConfig} on the main thread before
 * anything starts. {@link dev.wharf.cli.tls.TlsStory} and {@link dev.wharf.cli.tls.TlsFailures} are
 * stateless and may be called from any thread, the event loops included.
 */
package dev.wharf.cli.tls;
