package dev.wharf.cli.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.cli.HostPort;
import dev.wharf.cli.IpFamily;
import dev.wharf.cli.Target;
import dev.wharf.core.Transport;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Each command's arguments, parsed into its options record; nothing is started. */
class ArgumentsTest {

  static ListenCommand.Options listen(String... args) {
    var command = new ListenCommand();
    new CommandLine(GeneratedModels.listenCommand(command)).parseArgs(args);
    return command.options();
  }

  static ConnectCommand.Options connect(String... args) {
    var command = new ConnectCommand();
    new CommandLine(GeneratedModels.connectCommand(command)).parseArgs(args);
    return command.options();
  }

  static EchoCommand.Options echo(String... args) {
    var command = new EchoCommand();
    new CommandLine(GeneratedModels.echoCommand(command)).parseArgs(args);
    return command.options();
  }

  static Target inet(Transport transport, String host, int port, IpFamily family) {
    return new Target.Inet(transport, new HostPort(host, port), family);
  }

  @Test
  void listenOnAPortListensOnAllInterfaces() {
    assertThat(listen("8000"))
        .isEqualTo(
            new ListenCommand.Options(
                inet(Transport.TCP, "0.0.0.0", 8000, IpFamily.ANY), false, false));
  }

  @Test
  void listenWithSixListensOnTheIpv6Wildcard() {
    assertThat(listen("-6", "8000").target())
        .isEqualTo(inet(Transport.TCP, "::", 8000, IpFamily.IPV6));
  }

  @Test
  void listenTakesAHostIpv6InBracketsAndFlags() {
    assertThat(listen("-k", "-v", "--udp", "[::1]:9"))
        .isEqualTo(
            new ListenCommand.Options(inet(Transport.UDP, "::1", 9, IpFamily.ANY), true, true));
  }

  @Test
  void listenOnAUnixSocketTakesNoPort() {
    assertThat(listen("--unix", "/tmp/w.sock").target())
        .isEqualTo(new Target.Unix(Path.of("/tmp/w.sock")));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> listen("--unix", "/tmp/w.sock", "8000"))
        .withMessage("--unix takes the place of [HOST:]PORT: drop 8000");
  }

  @Test
  void listenNeedsSomewhereToListen() {
    assertThatIllegalArgumentException()
        .isThrownBy(ArgumentsTest::listen)
        .withMessage("give a [HOST:]PORT to listen on, or --unix PATH");
  }

  @Test
  void udpAndUnixExcludeEachOther() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> echo("--udp", "--unix", "/tmp/w.sock"))
        .withMessage("--udp and --unix exclude each other");
  }

  @Test
  void fourAndSixExcludeEachOther() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("-4", "-6", "localhost", "80"))
        .withMessage("-4 and -6 exclude each other");
  }

  @Test
  void connectTakesHostAndPort() {
    assertThat(connect("example.com", "80"))
        .isEqualTo(
            new ConnectCommand.Options(
                inet(Transport.TCP, "example.com", 80, IpFamily.ANY), false, Duration.ZERO, false));
  }

  @Test
  void connectTakesHostColonPortAndIpv6() {
    assertThat(connect("[::1]:80").target())
        .isEqualTo(inet(Transport.TCP, "::1", 80, IpFamily.ANY));
    assertThat(connect("-4", "[::1]", "80").target())
        .isEqualTo(inet(Transport.TCP, "::1", 80, IpFamily.IPV4));
    assertThat(connect("::1", "80").target())
        .isEqualTo(inet(Transport.TCP, "::1", 80, IpFamily.ANY));
  }

  @Test
  void connectTakesScanAndTimeout() {
    assertThat(connect("-z", "-w", "1.5", "-v", "localhost", "22"))
        .isEqualTo(
            new ConnectCommand.Options(
                inet(Transport.TCP, "localhost", 22, IpFamily.ANY),
                true,
                Duration.ofMillis(1500),
                true));
  }

  @Test
  void connectRefusesNonsense() {
    assertThatIllegalArgumentException()
        .isThrownBy(ArgumentsTest::connect)
        .withMessage("give HOST PORT to connect to, or --unix PATH");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("localhost"))
        .withMessage("give a PORT after the host localhost");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("localhost", "http"))
        .withMessage("port must be a number 0-65535, got 'http'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("-w", "0", "localhost", "80"))
        .withMessage("-w must be between 0 and 86400 seconds, got 0.0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("-z", "--udp", "localhost", "53"))
        .withMessage("-z checks TCP and Unix ports only");
  }

  @Test
  void connectToAUnixSocketTakesNoHost() {
    assertThat(connect("--unix", "/run/x.sock").target())
        .isEqualTo(new Target.Unix(Path.of("/run/x.sock")));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> connect("--unix", "/run/x.sock", "localhost", "80"))
        .withMessage("--unix takes the place of HOST PORT: drop localhost 80");
  }

  @Test
  void echoTakesTheSameAddresses() {
    assertThat(echo("-v", "127.0.0.1:7"))
        .isEqualTo(
            new EchoCommand.Options(inet(Transport.TCP, "127.0.0.1", 7, IpFamily.ANY), true));
  }
}
