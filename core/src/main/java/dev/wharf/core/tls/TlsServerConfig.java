package dev.wharf.core.tls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * How a server speaks TLS: its certificates (one default, more picked by the name the client asks
 * for), the application protocols it offers (ALPN), whether clients must show a certificate, and
 * how long a handshake may take.
 *
 * <pre>{@code
 * var tls = TlsServerConfig.builder(TlsIdentity.fromPem(Path.of("cert.pem"), Path.of("key.pem")))
 *     .alpn("http/1.1")
 *     .build();
 * Server.builder(group).layer(TlsProtocol.serverLayer(tls)).bind(address, EchoProtocol::new);
 * }</pre>
 *
 * <p>Immutable and thread-safe; one config serves every connection of a server.
 */
public final class TlsServerConfig {

  /** Whether the server asks clients for a certificate (mutual TLS). */
  public enum ClientAuth {
    /** Does not ask. */
    NONE,
    /** Asks; a client without one is let in, one with an untrusted one is refused. */
    WANT,
    /** Requires a trusted client certificate. */
    NEED
  }

  /** The default handshake timeout: 10 seconds. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  /** Configures a {@link TlsServerConfig}. */
  public static final class Builder {
    private final List<IdentityKeyManager.Entry> identities = new ArrayList<>();
    private List<String> alpn = List.of();
    private ClientAuth clientAuth = ClientAuth.NONE;
    private TlsTrust clientTrust;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

    private Builder(TlsIdentity defaultIdentity) {
      identities.add(new IdentityKeyManager.Entry(defaultIdentity, List.of()));
    }

    /**
     * Another certificate, shown to clients that ask (SNI) for one of the host names in it; the
     * first certificate stays the default.
     */
    public Builder certificate(TlsIdentity identity) {
      identities.add(new IdentityKeyManager.Entry(Objects.requireNonNull(identity), List.of()));
      return this;
    }

    /**
     * A certificate shown to clients that ask for {@code serverName} ({@code *.example.com} matches
     * one label), whatever names the certificate holds.
     */
    public Builder certificate(String serverName, TlsIdentity identity) {
      identities.add(
          new IdentityKeyManager.Entry(
              Objects.requireNonNull(identity), List.of(serverName.toLowerCase(Locale.ROOT))));
      return this;
    }

    /** Application protocols to agree on, in order of preference ({@code h2}, {@code http/1.1}). */
    public Builder alpn(String... protocols) {
      return alpn(List.of(protocols));
    }

    public Builder alpn(List<String> protocols) {
      this.alpn = TlsDefaults.checkAlpn(protocols);
      return this;
    }

    /** Asks clients for a certificate that chains to {@code trust} (mutual TLS). */
    public Builder clientAuth(ClientAuth mode, TlsTrust trust) {
      this.clientAuth = Objects.requireNonNull(mode);
      this.clientTrust = mode == ClientAuth.NONE ? null : Objects.requireNonNull(trust, "trust");
      return this;
    }

    /** How long a handshake may take before the connection is closed; zero for no limit. */
    public Builder handshakeTimeout(Duration value) {
      this.handshakeTimeout = TlsDefaults.checkTimeout(Objects.requireNonNull(value));
      return this;
    }

    public TlsServerConfig build() {
      var keys = new IdentityKeyManager(identities);
      PeerVerifier verifier =
          clientTrust == null ? null : new PeerVerifier(clientTrust.pkix(), List.of());
      SSLContext context = TlsDefaults.context(keys, verifier);
      return new TlsServerConfig(this, context);
    }
  }

  /** Starts a config whose default certificate is {@code identity}. */
  public static Builder builder(TlsIdentity identity) {
    return new Builder(Objects.requireNonNull(identity, "identity"));
  }

  private final SSLContext context;
  private final String[] cipherSuites;
  private final List<TlsIdentity> identities;
  private final List<String> alpn;
  private final ClientAuth clientAuth;
  private final Duration handshakeTimeout;

  private TlsServerConfig(Builder builder, SSLContext context) {
    this.context = context;
    this.cipherSuites = TlsDefaults.cipherSuites(context);
    this.identities = builder.identities.stream().map(IdentityKeyManager.Entry::identity).toList();
    this.alpn = builder.alpn;
    this.clientAuth = builder.clientAuth;
    this.handshakeTimeout = builder.handshakeTimeout;
  }

  private TlsServerConfig(TlsServerConfig base, List<String> alpn) {
    this.context = base.context;
    this.cipherSuites = base.cipherSuites;
    this.identities = base.identities;
    this.alpn = alpn;
    this.clientAuth = base.clientAuth;
    this.handshakeTimeout = base.handshakeTimeout;
  }

  /** The same config offering other application protocols (sharing its certificates). */
  public TlsServerConfig withAlpn(List<String> protocols) {
    return new TlsServerConfig(this, TlsDefaults.checkAlpn(protocols));
  }

  /** The certificates, the default first. */
  public List<TlsIdentity> identities() {
    return identities;
  }

  public List<String> alpn() {
    return alpn;
  }

  public ClientAuth clientAuth() {
    return clientAuth;
  }

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** A server-side engine for one connection. */
  SSLEngine newEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters parameters = TlsDefaults.parameters(engine, cipherSuites, alpn);
    parameters.setUseCipherSuitesOrder(true);
    switch (clientAuth) {
      case NEED -> parameters.setNeedClientAuth(true);
      case WANT -> parameters.setWantClientAuth(true);
      case NONE -> {}
    }
    engine.setSSLParameters(parameters);
    return engine;
  }
}
