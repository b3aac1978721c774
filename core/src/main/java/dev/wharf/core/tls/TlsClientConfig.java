package dev.wharf.core.tls;

import dev.wharf.core.LazyLogger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * How a client speaks TLS: which servers it trusts (the system's CAs by default, a CA file, pinned
 * keys, or anything at all when insecure), the name it asks for and checks (by default the host it
 * connects to), ALPN, and a certificate of its own for servers that ask.
 *
 * <pre>{@code
 * var tls = TlsClientConfig.builder().trust(TlsTrust.fromPem(Path.of("ca.pem"))).build();
 * Client.builder(group).layer(TlsProtocol.clientLayer(tls)).build().connect("localhost", 8443, protocol);
 * }</pre>
 *
 * <p>Immutable and thread-safe. Keep one for many connections: it holds the session cache that lets
 * later handshakes with the same server resume.
 */
public final class TlsClientConfig {
  private static final System.Logger LOG = LazyLogger.of(TlsClientConfig.class);

  /** Configures a {@link TlsClientConfig}. */
  public static final class Builder {
    private TlsTrust trust = TlsTrust.system();
    private final List<PublicKeyPin> pins = new ArrayList<>();
    private String serverName;
    private List<String> alpn = List.of();
    private TlsIdentity identity;
    private Duration handshakeTimeout = TlsServerConfig.DEFAULT_HANDSHAKE_TIMEOUT;

    private Builder() {}

    /** Which CAs the server's certificate must chain to; {@link TlsTrust#system()} by default. */
    public Builder trust(TlsTrust value) {
      this.trust = Objects.requireNonNull(value);
      return this;
    }

    /**
     * Also requires the server's chain to hold one of these keys. With {@link TlsTrust#insecure()},
     * the pins alone decide (for a self-signed server whose key is known).
     */
    public Builder pin(PublicKeyPin... values) {
      return pins(List.of(values));
    }

    public Builder pins(List<PublicKeyPin> values) {
      pins.addAll(values);
      return this;
    }

    /**
     * The name to ask for (SNI) and to check the certificate against, instead of the host connected
     * to (when connecting to an address, say).
     */
    public Builder serverName(String value) {
      this.serverName = Objects.requireNonNull(value);
      return this;
    }

    /** Application protocols to offer, in order of preference. */
    public Builder alpn(String... protocols) {
      return alpn(List.of(protocols));
    }

    public Builder alpn(List<String> protocols) {
      this.alpn = TlsDefaults.checkAlpn(protocols);
      return this;
    }

    /** A client certificate, shown to servers that ask for one (mutual TLS). */
    public Builder identity(TlsIdentity value) {
      this.identity = Objects.requireNonNull(value);
      return this;
    }

    /** How long a handshake may take; zero for no limit. */
    public Builder handshakeTimeout(Duration value) {
      this.handshakeTimeout = TlsDefaults.checkTimeout(Objects.requireNonNull(value));
      return this;
    }

    public TlsClientConfig build() {
      return new TlsClientConfig(this);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Trusts the system's CAs and checks host names; no ALPN, no client certificate. */
  public static TlsClientConfig defaults() {
    return builder().build();
  }

  private final SSLContext context;
  private final String[] cipherSuites;
  private final TlsTrust trust;
  private final List<PublicKeyPin> pins;
  private final String serverName;
  private final List<String> alpn;
  private final Duration handshakeTimeout;

  private TlsClientConfig(Builder builder) {
    this.trust = builder.trust;
    this.pins = List.copyOf(builder.pins);
    this.serverName = builder.serverName;
    this.alpn = builder.alpn;
    this.handshakeTimeout = builder.handshakeTimeout;
    IdentityKeyManager keys =
        builder.identity == null
            ? null
            : new IdentityKeyManager(
                List.of(new IdentityKeyManager.Entry(builder.identity, List.of())));
    this.context = TlsDefaults.context(keys, new PeerVerifier(trust.pkix(), pins));
    this.cipherSuites = TlsDefaults.cipherSuites(context);
    if (trust.isInsecure()) {
      LOG.log(
          Level.WARNING,
          pins.isEmpty()
              ? "TLS certificate checking is off (insecure): the traffic can be read and changed"
                  + " by anyone in between"
              : "TLS server certificates are checked against pinned keys only");
    }
  }

  public TlsTrust trust() {
    return trust;
  }

  public List<PublicKeyPin> pins() {
    return pins;
  }

  public Optional<String> serverName() {
    return Optional.ofNullable(serverName);
  }

  public List<String> alpn() {
    return alpn;
  }

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * A client engine for one connection to {@code host} (a name or an address literal): it asks for
   * that name (or the configured server name) and checks the certificate against it.
   */
  SSLEngine newEngine(String host, int port) {
    String name = serverName != null ? serverName : host;
    SSLEngine engine = context.createSSLEngine(name, port);
    engine.setUseClientMode(true);
    SSLParameters parameters = TlsDefaults.parameters(engine, cipherSuites, alpn);
    if (!trust.isInsecure()) {
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (name != null && !isAddressLiteral(name)) {
      // The JDK sends SNI only for names with a dot; "localhost" deserves it too.
      parameters.setServerNames(List.of(new SNIHostName(name)));
    }
    engine.setSSLParameters(parameters);
    return engine;
  }

  /** An IPv4 or IPv6 literal, for which RFC 6066 forbids SNI. */
  static boolean isAddressLiteral(String host) {
    return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }
}
