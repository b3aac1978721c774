package dev.wharf.cli.tls;

import dev.wharf.core.tls.TlsConfigException;
import dev.wharf.core.tls.TlsIdentity;
import dev.wharf.core.tls.TlsServerConfig;
import dev.wharf.core.tls.TlsTrust;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * How a server command speaks TLS (a picocli mixin, shared by {@code serve} and {@code listen}):
 * {@code --tls}, its certificate (PEM or PKCS#12, or else a kept self-signed one), ALPN and client
 * certificates. {@link #check} only parses; {@link #load} reads the files and may make the
 * self-signed certificate.
 */
public final class ServerTlsOptions {

  @Option(
      names = "--tls",
      description =
          "Speak TLS (1.3 and 1.2). Without --cert or --pkcs12, a self-signed certificate for"
              + " localhost and this host is made once, kept in $XDG_DATA_HOME/wharf/tls, and its"
              + " path and SHA-256 fingerprint are printed.")
  boolean tls;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description =
          "With --tls: the certificate chain (PEM, leaf first); its key is in --key, or in FILE"
              + " too. Reloaded for new connections when the files change.")
  public Path certificate;

  @Option(names = "--key", paramLabel = "FILE", description = "The private key for --cert (PEM).")
  public Path key;

  @Option(
      names = "--pkcs12",
      paramLabel = "FILE",
      description = "With --tls: the key and certificate chain in a PKCS#12 file (.p12, .pfx).")
  Path pkcs12;

  @Option(
      names = "--pkcs12-password-env",
      paramLabel = "VAR",
      description =
          "The environment variable holding the --pkcs12 password (never on the command line,"
              + " where other users can read it). Without it, the password is empty.")
  String pkcs12PasswordEnv;

  @Option(
      names = "--alpn",
      paramLabel = "LIST",
      split = ",",
      hideParamSyntax = true,
      description = "With --tls: application protocols to agree on (ALPN), comma-separated.")
  public List<String> alpn;

  @Option(
      names = "--client-ca",
      paramLabel = "FILE",
      description =
          "With --tls: require a client certificate issued by a CA in this PEM file (mutual TLS).")
  Path clientCa;

  /** Reads environment variables; a test puts its own here. */
  public UnaryOperator<String> environment = System::getenv;

  /**
   * The options of a command that spells them itself: {@code ws}, whose {@code --cert} and {@code
   * --key} are shared with its client side, and are its own certificate either way.
   */
  public static ServerTlsOptions of(boolean tls, Path certificate, Path key) {
    var options = new ServerTlsOptions();
    options.tls = tls;
    options.certificate = certificate;
    options.key = key;
    return options;
  }

  /**
   * The names a self-signed certificate must cover for a server bound to {@code host}, besides the
   * local ones: the host itself, unless it is a wildcard address (all interfaces).
   */
  public static List<String> namesFor(String host) {
    if (host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
      return List.of();
    }
    try {
      if (InetAddress.getByName(host).isAnyLocalAddress()) {
        return List.of();
      }
    } catch (UnknownHostException e) {
      // Not resolvable now; binding will say so.
    }
    return List.of(host.toLowerCase(Locale.ROOT));
  }

  public boolean enabled() {
    return tls;
  }

  /**
   * Checks the combination of options; reads no file.
   *
   * @throws IllegalArgumentException with one line saying what is wrong
   */
  public void check() {
    String given =
        certificate != null
            ? "--cert"
            : key != null
                ? "--key"
                : pkcs12 != null
                    ? "--pkcs12"
                    : pkcs12PasswordEnv != null
                        ? "--pkcs12-password-env"
                        : alpn != null ? "--alpn" : clientCa != null ? "--client-ca" : null;
    if (!tls) {
      if (given != null) {
        throw new IllegalArgumentException(given + " goes with --tls");
      }
      return;
    }
    if (key != null && certificate == null) {
      throw new IllegalArgumentException("--key goes with --cert");
    }
    if (certificate != null && pkcs12 != null) {
      throw new IllegalArgumentException("--cert and --pkcs12 exclude each other");
    }
    if (pkcs12PasswordEnv != null && pkcs12 == null) {
      throw new IllegalArgumentException("--pkcs12-password-env goes with --pkcs12");
    }
    if (pkcs12PasswordEnv != null && environment.apply(pkcs12PasswordEnv) == null) {
      throw new IllegalArgumentException(
          "--pkcs12-password-env: the environment variable " + pkcs12PasswordEnv + " is not set");
    }
  }

  /**
   * Reads the certificate, or loads or makes the self-signed one, and builds the server's
   * configuration.
   *
   * @param names the names a self-signed certificate must cover besides the local ones (a specific
   *     address the server binds)
   * @param defaultAlpn what to agree on when {@code --alpn} is not given
   */
  public Loaded load(List<String> names, List<String> defaultAlpn)
      throws IOException, GeneralSecurityException {
    check();
    TlsIdentity identity;
    Path file;
    SelfSignedCertificate.Kept kept = null;
    TlsOptionException.requireKeyFile(key);
    try {
      if (certificate != null) {
        file = certificate;
        identity = TlsIdentity.fromPem(certificate, key != null ? key : certificate);
      } else if (pkcs12 != null) {
        file = pkcs12;
        String password = pkcs12PasswordEnv == null ? "" : environment.apply(pkcs12PasswordEnv);
        identity = TlsIdentity.fromPkcs12(pkcs12, password.toCharArray());
      } else {
        kept =
            SelfSignedCertificate.loadOrCreate(
                SelfSignedCertificate.defaultDirectory(), SelfSignedCertificate.localNames(names));
        file = kept.certificate();
        identity = TlsIdentity.fromPem(kept.certificate(), kept.privateKey());
      }
    } catch (TlsConfigException e) {
      throw new TlsOptionException(
          certificate != null ? "--cert" : pkcs12 != null ? "--pkcs12" : "--tls", e);
    }
    TlsServerConfig.Builder builder = TlsServerConfig.builder(identity);
    try {
      builder.alpn(alpn != null ? alpn : defaultAlpn);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--alpn: " + e.getMessage(), e);
    }
    if (clientCa != null) {
      try {
        builder.clientAuth(TlsServerConfig.ClientAuth.NEED, TlsTrust.fromPem(clientCa));
      } catch (TlsConfigException e) {
        throw new TlsOptionException("--client-ca", e);
      }
    }
    X509Certificate leaf = identity.certificate();
    return new Loaded(
        builder.build(),
        file,
        kept != null,
        kept != null && kept.created(),
        SelfSignedCertificate.fingerprint(leaf),
        leaf,
        clientCa);
  }

  /**
   * A server's TLS, ready to use, and what to tell the user about it.
   *
   * @param file where the certificate is
   * @param selfSigned whether it is the kept self-signed certificate
   * @param created whether that was made just now
   * @param sha256 the certificate's SHA-256 fingerprint, {@code AB:CD:...}
   * @param clientCa the CAs client certificates must chain to, if required
   */
  public record Loaded(
      TlsServerConfig config,
      Path file,
      boolean selfSigned,
      boolean created,
      String sha256,
      X509Certificate leaf,
      Path clientCa) {

    /**
     * What a server prints when it starts: the certificate, and for a self-signed one how clients
     * come to trust it.
     *
     * @param exampleUrl the server's address as a client would write it, for the advice
     * @param curlAdvice whether to show curl and wharf get (an HTTPS server) or TLS clients in
     *     general
     */
    public List<String> describe(String exampleUrl, boolean curlAdvice) {
      var lines = new ArrayList<String>();
      if (created) {
        lines.add(
            "Made a self-signed TLS certificate for "
                + String.join(", ", Certificates.names(leaf))
                + ", valid until "
                + Certificates.date(leaf.getNotAfter()));
      }
      if (selfSigned) {
        lines.add("TLS certificate: " + file + " (self-signed; SHA-256 " + sha256 + ")");
        lines.add(
            curlAdvice
                ? "Clients trust it with: curl --cacert "
                    + file
                    + " "
                    + exampleUrl
                    + "  or  wharf get --cacert "
                    + file
                    + " "
                    + exampleUrl
                : "Clients trust it with --cacert " + file + " (openssl: -CAfile " + file + ")");
      } else {
        lines.add(
            "TLS certificate: "
                + file
                + " ("
                + Certificates.subject(leaf)
                + ", "
                + Certificates.details(leaf)
                + "; SHA-256 "
                + sha256
                + ")");
      }
      if (clientCa != null) {
        lines.add("Clients must show a certificate issued by a CA in " + clientCa);
      }
      return lines;
    }
  }
}
