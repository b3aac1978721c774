package dev.wharf.cli.tls;

import dev.wharf.core.tls.PublicKeyPin;
import dev.wharf.core.tls.TlsClientConfig;
import dev.wharf.core.tls.TlsConfigException;
import dev.wharf.core.tls.TlsIdentity;
import dev.wharf.core.tls.TlsTrust;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/**
 * How a client command checks the server it speaks TLS to (a picocli mixin, shared by {@code get},
 * {@code connect} and anything else that dials TLS): the CAs to trust, pinned keys, the name to ask
 * for, ALPN, and a certificate of our own. Parsing and building only: it connects nothing.
 */
public final class ClientTlsOptions {

  @Option(
      names = "--cacert",
      paramLabel = "FILE",
      description =
          "Trust the CA (or self-signed) certificates in this PEM file instead of the system's.")
  public Path caCert;

  @Option(
      names = {"-k", "--insecure"},
      description =
          "Do not check the server's certificate (testing only: anyone in between can read and"
              + " change the traffic); --pin still applies.")
  public boolean insecure;

  @Option(
      names = "--pin",
      paramLabel = "sha256:HASH",
      description = {
        "Also require this public key in the server's chain (base64 or hex SHA-256 of the key;"
            + " repeatable, any one matches).",
        "Get one with: openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform"
            + " der | openssl dgst -sha256 -binary | base64"
      })
  public List<String> pins = new ArrayList<>();

  @Option(
      names = "--servername",
      paramLabel = "NAME",
      description =
          "Ask for NAME (SNI) and check the certificate against it, instead of the host given.")
  public String serverName;

  @Option(
      names = "--alpn",
      paramLabel = "LIST",
      split = ",",
      hideParamSyntax = true,
      description = "Application protocols to offer, comma-separated, in order of preference.")
  public List<String> alpn;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description =
          "Show this client certificate (PEM, chain first) to servers that ask; its key is in"
              + " --key, or in FILE too.")
  public Path certificate;

  @Option(names = "--key", paramLabel = "FILE", description = "The private key for --cert (PEM).")
  public Path key;

  /** Whether any of these options was given (they mean nothing without TLS). */
  public boolean anyGiven() {
    return caCert != null
        || insecure
        || !pins.isEmpty()
        || serverName != null
        || alpn != null
        || certificate != null
        || key != null;
  }

  /** The first option given, to name it in "goes with --tls". */
  public String firstGiven() {
    return caCert != null
        ? "--cacert"
        : insecure
            ? "--insecure"
            : !pins.isEmpty()
                ? "--pin"
                : serverName != null
                    ? "--servername"
                    : alpn != null ? "--alpn" : certificate != null ? "--cert" : "--key";
  }

  /**
   * Checks the options that need no files: pins, names, combinations.
   *
   * @throws IllegalArgumentException with one line saying what is wrong
   */
  public List<PublicKeyPin> checked() {
    if (key != null && certificate == null) {
      throw new IllegalArgumentException("--key goes with --cert");
    }
    if (insecure && caCert != null) {
      throw new IllegalArgumentException("--insecure and --cacert exclude each other");
    }
    if (serverName != null && serverName.isBlank()) {
      throw new IllegalArgumentException("--servername needs a name");
    }
    var parsed = new ArrayList<PublicKeyPin>();
    for (String pin : pins) {
      try {
        parsed.add(PublicKeyPin.parse(pin));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--pin: " + e.getMessage(), e);
      }
    }
    return parsed;
  }

  /**
   * The client configuration these options make.
   *
   * @param defaultAlpn what to offer when {@code --alpn} is not given
   * @param warning gets the one line to show when {@code --insecure} weakens the checks
   * @throws IllegalArgumentException for a mistake in the options
   * @throws TlsOptionException when a file cannot be used
   */
  public TlsClientConfig config(List<String> defaultAlpn, Consumer<String> warning)
      throws TlsOptionException {
    List<PublicKeyPin> parsedPins = checked();
    TlsClientConfig.Builder builder = TlsClientConfig.builder();
    if (insecure) {
      CoreConfigLog.silence();
      builder.trust(TlsTrust.insecure());
    } else if (caCert != null) {
      try {
        builder.trust(TlsTrust.fromPem(caCert));
      } catch (TlsConfigException e) {
        throw new TlsOptionException("--cacert", e);
      }
    }
    builder.pins(parsedPins);
    if (serverName != null) {
      builder.serverName(serverName);
    }
    try {
      builder.alpn(alpn != null ? alpn : defaultAlpn);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--alpn: " + e.getMessage(), e);
    }
    if (certificate != null) {
      TlsOptionException.requireKeyFile(key);
      try {
        builder.identity(TlsIdentity.fromPem(certificate, key != null ? key : certificate));
      } catch (TlsConfigException e) {
        throw new TlsOptionException("--cert", e);
      }
    }
    if (insecure) {
      warning.accept(
          parsedPins.isEmpty()
              ? "warning: --insecure: the server's certificate is not checked; anyone in between"
                  + " can read and change the traffic"
              : "warning: --insecure: only the pinned key is checked, not the CA, the name or"
                  + " the dates");
    }
    return builder.build();
  }

  /**
   * The core warns about insecure settings through its logger; the command says it once itself, in
   * its own words, so the core's line is turned off. Only then: the first use of java.util.logging
   * finds its back end by opening every jar of the module path (50 ms of a {@code get}).
   */
  private static final class CoreConfigLog {
    /** Held: java.util.logging keeps loggers weakly, and a new one would log again. */
    private static final Logger SILENCED = silenced(TlsClientConfig.class);

    /** Turns the line off: the work is this class's initialization, done once. */
    static void silence() {}

    private static Logger silenced(Class<?> source) {
      Logger logger = Logger.getLogger(source.getName());
      logger.setLevel(Level.OFF);
      return logger;
    }
  }
}
