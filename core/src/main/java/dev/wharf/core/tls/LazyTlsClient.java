package dev.wharf.core.tls;

import dev.wharf.core.Client;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Client} that speaks TLS, made on first use and off the caller's thread: loading the
 * system's CAs takes a moment that a client fetching only plain {@code http://} or {@code ws://}
 * should not pay, and that must not block an event loop (a redirect is followed from one). The HTTP
 * and WebSocket clients share it.
 *
 * <p>Thread-safe.
 */
public final class LazyTlsClient {
  private final Client.Builder builder;
  private final TlsClientConfig config;
  private final List<String> alpn;
  private CompletableFuture<Client> made;

  /**
   * @param builder the plain client's settings (group, timeouts, resolver), to which the TLS layer
   *     is added
   * @param config how to speak TLS; {@code null} for the system's CAs, offering {@code alpn}
   * @param alpn what the default config offers by ALPN
   */
  public LazyTlsClient(Client.Builder builder, TlsClientConfig config, List<String> alpn) {
    this.builder = Objects.requireNonNull(builder, "builder");
    this.config = config;
    this.alpn = List.copyOf(alpn);
  }

  /** Completes with the client once made (at once after the first time), or with why not. */
  public synchronized CompletableFuture<Client> get() {
    if (made == null) {
      made = new CompletableFuture<>();
      CompletableFuture<Client> future = made;
      Thread.ofVirtual()
          .name("wharf-tls-setup")
          .start(
              () -> {
                try {
                  TlsClientConfig chosen =
                      config != null ? config : TlsClientConfig.builder().alpn(alpn).build();
                  future.complete(builder.layer(TlsProtocol.clientLayer(chosen)).build());
                } catch (RuntimeException e) {
                  future.completeExceptionally(e);
                }
              });
    }
    return made;
  }
}
