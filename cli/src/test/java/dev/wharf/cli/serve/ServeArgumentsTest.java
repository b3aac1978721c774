package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.cli.MainTest;
import dev.wharf.http.files.BasicAuth;
import dev.wharf.http.files.StaticFiles;
import dev.wharf.http.server.HttpTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code wharf serve --auth} and {@code --cors} as parsed; nothing is started. */
class ServeArgumentsTest {
  @TempDir Path dir;

  ServeCommand.Options serve(String... args) throws Exception {
    var command = new ServeCommand();
    new CommandLine(GeneratedModels.serveCommand(command)).parseArgs(args);
    return command.options();
  }

  @Test
  void aNumberThatNamesNoDirectoryIsThePortAsInPythonsHttpServer() throws Exception {
    ServeCommand.Options options = serve("8080");
    assertThat(options.address().getPort()).isEqualTo(8080);
    assertThat(options.directory()).isEqualTo(Path.of("").toAbsolutePath());

    options = serve("--directory", dir.toString(), "0");
    assertThat(options.address().getPort()).isZero();
    assertThat(options.directory()).isEqualTo(dir);
    assertThat(serve("-d", dir.toString()).address().getPort()).isEqualTo(8000);
  }

  @Test
  void anIpv6AddressIsShownCompressedInBracketsAsInAUrl() throws Exception {
    assertThat(ServeCommand.host(serve(dir.toString(), "-b", "::1"))).isEqualTo("[::1]");
    assertThat(ServeCommand.host(serve(dir.toString(), "-b", "127.0.0.1"))).isEqualTo("127.0.0.1");
  }

  @Test
  void theDirectoryAndThePortAreGivenOnce() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("8080", "-p", "9000"))
        .withMessage("give the port once: 8080 or -p 9000");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve(dir.toString(), "--directory", dir.toString()))
        .withMessage("give the directory once: " + dir + " or --directory " + dir);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("70000"))
        .withMessage("port must be 0-65535, got 70000");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve(dir.resolve("missing").toString()))
        .withMessage("no such directory: " + dir.resolve("missing"));
  }

  @Test
  void authSplitsAtTheFirstColonAndCorsDefaultsToAnyOrigin() throws Exception {
    ServeCommand.Options options = serve(dir.toString(), "--auth", "ann:a:b", "--cors");
    assertThat(options.auth()).contains(new BasicAuth.Credentials("ann", "a:b"));
    assertThat(options.corsOrigin()).contains("*");
  }

  @Test
  void theWebSocketEchoTakes16MiBUnlessToldOtherwise() throws Exception {
    var echo = serve(dir.toString()).wsEcho();
    assertThat(echo.maxMessageBytes()).isEqualTo(16L << 20);
    assertThat(echo.maxFrameBytes()).isEqualTo(16L << 20);
    assertThat(echo.deflate()).isPresent();
    var larger = serve(dir.toString(), "--ws-max-message", "64M").wsEcho();
    assertThat(larger.maxMessageBytes()).isEqualTo(64L << 20);
    assertThat(larger.maxFrameBytes()).isEqualTo(64L << 20); // frames follow messages
    var framed = serve(dir.toString(), "--ws-max-message", "64M", "--ws-max-frame", "1M").wsEcho();
    assertThat(framed.maxFrameBytes()).isEqualTo(1L << 20);
  }

  @Test
  void aWebSocketLimitOutOfRangeIsOneLineExitTwo() {
    assertThat(MainTest.run("serve", dir.toString(), "--ws-max-message", "0"))
        .isEqualTo(
            new MainTest.Run(
                2, List.of("wharf serve: --ws-max-message must be between 1 byte and 2G"), ""));
    assertThat(MainTest.run("serve", dir.toString(), "--ws-max-frame", "3G"))
        .isEqualTo(
            new MainTest.Run(
                2, List.of("wharf serve: --ws-max-frame must be between 1 byte and 2G"), ""));
  }

  @Test
  void headerTimeoutTakesSecondsAndRefusesNothingOrNegative() throws Exception {
    assertThat(serve(dir.toString()).timeouts()).isEqualTo(HttpTimeouts.DEFAULTS);
    assertThat(serve(dir.toString(), "--header-timeout", "2.5").timeouts().requestHead())
        .isEqualTo(Duration.ofMillis(2500));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve(dir.toString(), "--header-timeout", "0"))
        .withMessage("--header-timeout must be above 0 and at most 86400 seconds, got 0.0");
  }

  @Test
  void fileCacheTakesSecondsDefaultsToTwoAndZeroTurnsItOff() throws Exception {
    assertThat(serve(dir.toString()).fileCache()).isEqualTo(StaticFiles.Caching.DEFAULTS);
    assertThat(serve(dir.toString(), "--file-cache", "0.5").fileCache().ttl())
        .isEqualTo(Duration.ofMillis(500));
    assertThat(serve(dir.toString(), "--file-cache", "0").fileCache().ttl()).isZero();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve(dir.toString(), "--file-cache", "-1"))
        .withMessage("--file-cache must be 0 to 3600 seconds, got -1.0");
  }

  @Test
  void maxBufferedTakesASizeAndDefaultsToAQuarterOfTheHeap() throws Exception {
    assertThat(serve(dir.toString()).maxBuffered()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
    assertThat(serve(dir.toString(), "--max-buffered", "64M").maxBuffered()).isEqualTo(64L << 20);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve(dir.toString(), "--max-buffered", "0"))
        .withMessage("--max-buffered must be at least 1 byte");
  }

  @Test
  void neitherIsOnUnlessAsked() throws Exception {
    ServeCommand.Options options = serve(dir.toString());
    assertThat(options.auth()).isEmpty();
    assertThat(options.corsOrigin()).isEmpty();
  }

  @Test
  void corsTakesANamedOriginAfterAnEqualsSignOrAsTheNextWord() throws Exception {
    assertThat(serve("--cors=https://app.example", dir.toString()).corsOrigin())
        .contains("https://app.example");
    assertThat(serve(dir.toString(), "--cors", "http://localhost:3000").corsOrigin())
        .contains("http://localhost:3000");
    assertThat(serve("--cors", "--quiet", dir.toString()).corsOrigin()).contains("*");
  }

  @Test
  void aDirectoryAfterCorsIsNotTakenSilentlyForTheOrigin() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("--cors", dir.toString()))
        .withMessageStartingWith("--cors: not an origin: '" + dir + "'")
        .withMessageEndingWith("put DIR before --cors or write --cors=ORIGIN");
  }

  @Test
  void authOnAnAddressOthersCanReachIsWarnedAbout() throws Exception {
    assertThat(ServeCommand.clearTextWarning(serve(dir.toString(), "--auth", "a:b")))
        .contains(
            "warning: --auth over plain HTTP on 0.0.0.0: the password crosses the network in"
                + " clear text; add --tls or bind to 127.0.0.1");
    assertThat(ServeCommand.clearTextWarning(serve(dir.toString(), "--auth", "a:b", "--tls")))
        .isEmpty();
    assertThat(
            ServeCommand.clearTextWarning(
                serve(dir.toString(), "--auth", "a:b", "--bind", "127.0.0.1")))
        .isEmpty();
    assertThat(
            ServeCommand.clearTextWarning(serve(dir.toString(), "--bind", "::1", "--auth", "a:b")))
        .isEmpty();
    assertThat(ServeCommand.clearTextWarning(serve(dir.toString()))).isEqualTo(Optional.empty());
  }

  @Test
  void badAuthIsOneLineExitTwoThatNeverShowsThePassword() {
    MainTest.Run noColon = MainTest.run("serve", dir.toString(), "--auth", "annhunter2");
    assertThat(noColon)
        .isEqualTo(
            new MainTest.Run(
                2, List.of("wharf serve: --auth takes USER:PASSWORD; the value has no colon"), ""));
    MainTest.Run noUser = MainTest.run("serve", dir.toString(), "--auth", ":hunter2");
    assertThat(noUser.exitCode()).isEqualTo(2);
    assertThat(noUser.err()).singleElement().asString().startsWith("wharf serve: --auth: ");
    assertThat(noUser.err().getFirst()).doesNotContain("hunter2");
  }

  @Test
  void helpTellsOfAuthAndCors() {
    MainTest.Run help = MainTest.run("serve", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("--auth=USER:PASSWORD", "--cors[=ORIGIN]", "readable by anyone", "preflight");
  }

  @Test
  void maxConnectionsIsAtLeastOneAndHelpTellsOfIt() {
    assertThat(MainTest.run("serve", dir.toString(), "--max-connections", "0"))
        .isEqualTo(
            new MainTest.Run(2, List.of("wharf serve: --max-connections must be at least 1"), ""));
    assertThat(MainTest.run("serve", "--help").out()).contains("--max-connections=N", "idlest");
  }

  @Test
  void serveSpeaksHttp11Only() {
    var command = new ServeCommand();
    new CommandLine(GeneratedModels.serveCommand(command))
        .parseArgs(dir.toString(), "--tls", "--alpn", "h2");
    assertThatIllegalArgumentException()
        .isThrownBy(command::options)
        .withMessage("serve speaks HTTP/1.1 only: --alpn can only be http/1.1");
  }

  @Test
  void theAdminListenerIsOnLoopbackUnlessAskedAndElsewhereOnlyWithAPassword() throws Exception {
    assertThat(serve(dir.toString()).admin()).isEmpty();
    assertThat(serve(dir.toString(), "--admin").admin())
        .contains(new java.net.InetSocketAddress("127.0.0.1", 9000));
    assertThat(serve(dir.toString(), "--admin", "9001").admin())
        .contains(new java.net.InetSocketAddress("127.0.0.1", 9001));
    assertThat(serve(dir.toString(), "--admin=[::1]:9002").admin())
        .contains(new java.net.InetSocketAddress("::1", 9002));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve(dir.toString(), "--admin", "0.0.0.0:9000"))
        .withMessage(
            "--admin 0.0.0.0:9000 can be reached from other machines and shows every client: add"
                + " --auth USER:PASSWORD, or bind it to 127.0.0.1");
    assertThat(serve(dir.toString(), "--admin", "0.0.0.0:9000", "--auth", "ann:s3cret").admin())
        .contains(new java.net.InetSocketAddress("0.0.0.0", 9000));
    // DIR after a bare --admin is taken for its address: the message says how to write it.
    assertThatIllegalArgumentException()
        .isThrownBy(() -> serve("--admin", dir.toString()))
        .withMessageEndingWith("; put DIR before --admin or write --admin=ADDR");
  }
}
