package dev.wharf.cli.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.cli.tls.ServerTlsOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The TLS options of connect and listen (serve's are in ServeArgumentsTest), as parsed and checked;
 * nothing is started or read.
 */
class TlsArgumentsTest {
  @TempDir Path dir;

  static ConnectCommand connect(String... args) {
    var command = new ConnectCommand();
    new CommandLine(GeneratedModels.connectCommand(command)).parseArgs(args);
    command.options();
    return command;
  }

  static ListenCommand listen(Map<String, String> environment, String... args) {
    var command = new ListenCommand();
    command.tls.environment = environment::get;
    new CommandLine(GeneratedModels.listenCommand(command)).parseArgs(args);
    command.options();
    return command;
  }

  static ListenCommand listen(String... args) {
    return listen(Map.of(), args);
  }

  @Test
  void clientOptionsGoWithTls() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("--cacert", "ca.pem", "localhost", "443"))
        .withMessage("--cacert goes with --tls");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("-k", "localhost", "443"))
        .withMessage("--insecure goes with --tls");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("--tls", "--udp", "localhost", "443"))
        .withMessage("--tls works over TCP and --unix, not --udp");
  }

  @Test
  void clientOptionsAreParsedAndChecked() {
    ConnectCommand command =
        connect(
            "--tls",
            "--pin",
            "sha256:" + "ab".repeat(32),
            "--pin",
            "sha256//" + "A".repeat(43) + "=",
            "--alpn",
            "h2,http/1.1",
            "--servername",
            "example.test",
            "127.0.0.1",
            "443");
    assertThat(command.tlsOptions.checked()).hasSize(2);
    assertThat(command.tlsOptions.alpn).containsExactly("h2", "http/1.1");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("--tls", "--pin", "md5:abc", "localhost", "443"))
        .withMessageStartingWith("--pin: a pin is sha256:");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("--tls", "--key", "k.pem", "localhost", "443"))
        .withMessage("--key goes with --cert");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("--tls", "-k", "--cacert", "ca.pem", "localhost", "443"))
        .withMessage("--insecure and --cacert exclude each other");
  }

  @Test
  void serverOptionsGoWithTlsAndOneCertificateSource() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> listen("--cert", "c.pem", "4433"))
        .withMessage("--cert goes with --tls");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> listen("--client-ca", "ca.pem", "4433"))
        .withMessage("--client-ca goes with --tls");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> listen("--tls", "--key", "k.pem", "4433"))
        .withMessage("--key goes with --cert");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> listen("--tls", "--cert", "c.pem", "--pkcs12", "s.p12", "4433"))
        .withMessage("--cert and --pkcs12 exclude each other");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> listen("--tls", "--udp", "4433"))
        .withMessage("--tls works over TCP and --unix, not --udp");
  }

  @Test
  void thePkcs12PasswordComesFromANamedVariableThatMustBeSet() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> listen("--tls", "--pkcs12", "s.p12", "--pkcs12-password-env", "P", "4433"))
        .withMessage("--pkcs12-password-env: the environment variable P is not set");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> listen("--tls", "--pkcs12-password-env", "P", "4433"))
        .withMessage("--pkcs12-password-env goes with --pkcs12");
    listen(Map.of("P", "secret"), "--tls", "--pkcs12", "s.p12", "--pkcs12-password-env", "P", "1");
  }

  @Test
  void aSelfSignedCertificateCoversASpecificBindAddressButNotAWildcard() {
    assertThat(ServerTlsOptions.namesFor("0.0.0.0")).isEmpty();
    assertThat(ServerTlsOptions.namesFor("::")).isEmpty();
    assertThat(ServerTlsOptions.namesFor(null)).isEmpty();
    assertThat(ServerTlsOptions.namesFor("192.0.2.7")).isEqualTo(List.of("192.0.2.7"));
  }
}
