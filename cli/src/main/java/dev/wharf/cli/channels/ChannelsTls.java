package dev.wharf.cli.channels;

import dev.wharf.cli.tls.ClientTlsOptions;
import dev.wharf.cli.tls.TlsOptionException;
import dev.wharf.core.tls.TlsClientConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The TLS options of {@code sub} and {@code pub} ({@code --cacert}, {@code -k}, {@code --pin}, as
 * {@code wharf ws} takes them): without them a wss:// server could only be trusted by the system's
 * CAs, so neither reached {@code serve --tls} with its self-signed or a private CA's certificate.
 * Called by the command's thread.
 */
final class ChannelsTls {
  private ChannelsTls() {}

  /**
   * Checks the options against the URLs without reading a file.
   *
   * @throws IllegalArgumentException for a TLS option without a wss:// URL, or a mistake in them
   */
  static void check(ClientTlsOptions options, List<URI> urls) {
    if (options.anyGiven() && !anySecure(urls)) {
      throw new IllegalArgumentException(options.firstGiven() + " goes with a wss:// URL");
    }
    options.checked();
  }

  /**
   * The client configuration for the wss:// URLs among {@code urls}, empty when there is none; the
   * warning of {@code --insecure} goes to {@code err} as one line.
   */
  static Optional<TlsClientConfig> config(
      ClientTlsOptions options, List<URI> urls, String command, PrintWriter err)
      throws TlsOptionException {
    if (!anySecure(urls)) {
      return Optional.empty();
    }
    // A WebSocket handshake is HTTP/1.1: offered by ALPN, as browsers do for wss://.
    return Optional.of(
        options.config(
            List.of("http/1.1"),
            warning -> {
              err.println("wharf " + command + ": " + warning);
              err.flush();
            }));
  }

  private static boolean anySecure(List<URI> urls) {
    return urls.stream().anyMatch(url -> "wss".equals(url.getScheme()));
  }
}
