package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Mistakes on the command line: exit 2 and a clear line on stderr, nothing started. */
@Timeout(30)
public class MainTest {
  public record Run(int exitCode, List<String> err, String out) {}

  public static Run run(String... args) {
    return run(Main.commandLine(), args);
  }

  private static Run run(CommandLine commandLine, String... args) {
    var err = new StringWriter();
    var out = new StringWriter();
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(out));
    int code = commandLine.execute(args);
    return new Run(code, err.toString().lines().toList(), out.toString());
  }

  /**
   * {@code wharf CMD ...} builds only CMD's model (start-up, issue 16); what it parses, prints and
   * returns must be what the whole command line does.
   */
  @Test
  void theCommandAloneAnswersAsTheWholeCommandLine() {
    List<List<String>> cases =
        List.of(
            List.of("--version"),
            List.of("-V"),
            List.of("-V", "serve"),
            List.of("get", "--help"),
            List.of("get", "http://127.0.0.1:99999/"),
            List.of("serve", "--port", "x"),
            List.of("listen", "70000"),
            List.of("connect", "--frobnicate", "localhost", "80"),
            List.of("dns", "--help"),
            List.of("sockets", "--count=x"),
            List.of("scan"));
    for (List<String> args : cases) {
      String[] argv = args.toArray(String[]::new);
      assertThat(run(Main.commandLine(argv), argv)).as("%s", args).isEqualTo(run(argv));
    }
    assertThat(Main.commandLine("-V", "get", "x").getSubcommands().keySet()).containsExactly("get");
    assertThat(Main.commandLine("--version").getSubcommands()).isEmpty();
    for (String[] whole :
        new String[][] {{}, {"--help"}, {"help", "get"}, {"serv"}, {"--", "get"}, {"-x"}}) {
      assertThat(Main.commandLine(whole).getSubcommands())
          .as("%s", List.of(whole))
          .hasSize(Main.class.getAnnotation(CommandLine.Command.class).subcommands().length);
    }
  }

  /**
   * Main tells picocli to register no converters for java.time's and java.sql's types (they cost a
   * start 10 ms): no option or parameter of any command may have one of those types without a
   * converter of its own.
   */
  @Test
  void noOptionNeedsTheConvertersPicocliIsToldToSkip() {
    assertThat(System.getProperty(Main.PICOCLI_CONVERTER_EXCLUDES))
        .isEqualTo("java.time.*,java.sql.*");
    var checked = new java.util.ArrayList<String>();
    var pending = new java.util.ArrayDeque<CommandLine>(List.of(Main.commandLine()));
    while (!pending.isEmpty()) {
      CommandLine command = pending.pop();
      pending.addAll(command.getSubcommands().values());
      for (CommandLine.Model.ArgSpec arg : command.getCommandSpec().args()) {
        if (arg.converters().length > 0) {
          continue;
        }
        var types = new java.util.ArrayList<Class<?>>(List.of(arg.auxiliaryTypes()));
        types.add(arg.type());
        for (Class<?> type : types) {
          String name = type.getName();
          checked.add(name);
          assertThat(name)
              .as("%s of %s", arg, command.getCommandName())
              .doesNotStartWith("java.time.")
              .doesNotStartWith("java.sql.");
        }
      }
    }
    assertThat(checked).hasSizeGreaterThan(200);
  }

  @Test
  void aBadPortIsAUsageErrorOnOneLine() {
    assertThat(run("listen", "70000"))
        .isEqualTo(new Run(2, List.of("wharf listen: port must be 0-65535, got 70000"), ""));
    assertThat(run("echo", "--udp", "localhost:x"))
        .isEqualTo(new Run(2, List.of("wharf echo: port must be a number 0-65535, got 'x'"), ""));
    assertThat(run("connect", "localhost", "65536"))
        .isEqualTo(new Run(2, List.of("wharf connect: port must be 0-65535, got 65536"), ""));
  }

  @Test
  void aUrlPortOutOfRangeIsCurlsMalformedUrlAtOnce() {
    assertThat(run("get", "http://127.0.0.1:99999/"))
        .isEqualTo(
            new Run(
                3,
                List.of("wharf get: malformed URL 'http://127.0.0.1:99999/': port must be 0-65535"),
                ""));
    assertThat(run("ws", "ws://127.0.0.1:99999/"))
        .isEqualTo(
            new Run(
                3,
                List.of("wharf ws: malformed URL 'ws://127.0.0.1:99999/': port must be 0-65535"),
                ""));
  }

  @Test
  void missingArgumentsAreAUsageError() {
    assertThat(run("connect"))
        .isEqualTo(
            new Run(2, List.of("wharf connect: give HOST PORT to connect to, or --unix PATH"), ""));
    assertThat(run("listen"))
        .isEqualTo(
            new Run(
                2, List.of("wharf listen: give a [HOST:]PORT to listen on, or --unix PATH"), ""));
  }

  @Test
  void anUnknownOptionIsAUsageErrorWithAHint() {
    Run run = run("connect", "--frobnicate", "localhost", "80");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .containsExactly(
            "wharf connect: Unknown option: '--frobnicate'",
            "Try 'wharf connect --help' for more.");
  }

  @Test
  void tooManyArgumentsAreAUsageError() {
    Run run = run("listen", "1", "2");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().getFirst()).startsWith("wharf listen: Unmatched argument");
  }

  @Test
  void anAtSignIsTheCommandsToReadNotAFileOfArguments(@TempDir Path dir) throws Exception {
    Path body = Files.writeString(dir.resolve("body.txt"), "hello");
    var get = Main.commandLine();
    get.parseArgs("get", "-d", "@" + body, "http://127.0.0.1/");
    assertThat(
            get.getSubcommands()
                .get("get")
                .getCommandSpec()
                .findOption("--data")
                .<String>getValue())
        .isEqualTo("@" + body);

    Path args = Files.writeString(dir.resolve("args.txt"), "--help");
    Run serve = run("serve", "@" + args);
    assertThat(serve)
        .isEqualTo(new Run(2, List.of("wharf serve: no such directory: @" + args), ""));
  }

  @Test
  void helpAuditPrintsItsUsageNotAnUnknownCommand() {
    Run run = run("help", "audit");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: wharf audit ").contains("--allow=PORT|PROCESS");
  }

  @Test
  void aMistypedCommandGetsADidYouMean() {
    assertThat(run("serv").err())
        .containsExactly(
            "wharf: unknown command 'serv'; did you mean 'serve'?", "Try 'wharf --help' for more.");
    assertThat(run("frobnicate").err())
        .first()
        .isEqualTo(
            "wharf: unknown command 'frobnicate'; the commands are serve, get, listen, connect,"
                + " echo, ws, sockets, scan, audit, ping, trace, dns, sub, pub, bench");
    assertThat(run("--frobnicate").err())
        .first()
        .isEqualTo("wharf: Unknown option: '--frobnicate'");
  }

  @Test
  void wharfAloneIsAUsageErrorThatListsTheCommandsOnStderr() {
    Run run = run();
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(String.join("\n", run.err())).contains("serve", "listen", "connect", "echo");
  }

  @Test
  void helpListsTheSocketCommands() {
    Run run = run("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("listen", "connect", "echo");
  }

  /**
   * A '%' in a description is a format character to picocli: an unescaped one prints "[picocli
   * WARN] Could not format" on stderr above the help (as {@code get -w}'s did).
   */
  @Test
  void everyCommandsHelpFormatsWithoutPicocliWarnings() throws Exception {
    var stderr = new java.io.ByteArrayOutputStream();
    var original = System.err;
    System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (CommandLine command : Main.commandLine().getSubcommands().values()) {
        assertThat(command.getUsageMessage()).isNotBlank();
      }
    } finally {
      System.setErr(original);
    }
    assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("WARN");
  }

  /** Logging's set-up is begun at start for the commands that bind a server, and only for them. */
  @Test
  void loggingIsSetUpAheadForServersOnly() {
    assertThat(Main.startsAServer("serve", "--quiet", ".")).isTrue();
    assertThat(Main.startsAServer("-V", "listen", "7000")).isTrue();
    assertThat(Main.startsAServer("echo", "--udp", "7")).isTrue();
    assertThat(Main.startsAServer("--version")).isFalse();
    assertThat(Main.startsAServer("get", "http://127.0.0.1/")).isFalse();
    assertThat(Main.startsAServer("help", "serve")).isFalse();
    assertThat(Main.startsAServer("--", "serve")).isFalse();
    assertThat(Main.startsAServer()).isFalse();
  }

  /** Only commands without shutdown hooks (and no command) end without System.exit. */
  @Test
  void onlyCommandsWithoutShutdownHooksEndWithoutSystemExit() {
    assertThat(Main.endsWithoutHooks("--version")).isTrue();
    assertThat(Main.endsWithoutHooks()).isTrue();
    assertThat(Main.endsWithoutHooks("get", "-o", "x", "http://127.0.0.1/")).isTrue();
    assertThat(Main.endsWithoutHooks("dns", "example.com", "AAAA")).isTrue();
    assertThat(Main.endsWithoutHooks("scan", "127.0.0.1")).isTrue();
    assertThat(Main.endsWithoutHooks("dns", "serve", "--zone", "z")).isFalse();
    assertThat(Main.endsWithoutHooks("serve", ".")).isFalse();
    assertThat(Main.endsWithoutHooks("bench", "http://127.0.0.1/")).isFalse();
    assertThat(Main.endsWithoutHooks("ws", "ws://127.0.0.1/")).isFalse();
    assertThat(Main.endsWithoutHooks("listen", "/tmp/sock")).isFalse();
    assertThat(Main.endsWithoutHooks("ping", "127.0.0.1")).isFalse();
    assertThat(Main.endsWithoutHooks("trace", "-c", "1")).isFalse();
  }

  /**
   * A server awaits the set-up begun on its own thread before it binds (no line it logs is lost),
   * and does it itself when nobody began it.
   */
  @Test
  void aServerAwaitsTheLoggingSetUpBegunOnItsOwnThread() throws Exception {
    var entered = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    var ranOn = new java.util.concurrent.atomic.AtomicReference<String>();
    var setUp =
        new LoggingSetUp(
            () -> {
              entered.countDown();
              awaitRelease(release);
              ranOn.set(Thread.currentThread().getName());
            });
    setUp.begin();
    // Under way on its own thread before the server asks: else, on a busy machine, the server's
    // await() may claim the set-up first and run it itself (correct, but not what is tested here).
    assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    var done = new java.util.concurrent.atomic.AtomicBoolean();
    Thread server =
        Thread.ofPlatform()
            .start(
                () -> {
                  setUp.await();
                  done.set(ranOn.get() != null);
                });
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    while (server.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(server.getState())
        .as("the server waits for the set-up")
        .isEqualTo(Thread.State.WAITING);
    release.countDown();
    assertThat(server.join(java.time.Duration.ofSeconds(10))).isTrue();
    assertThat(done).as("the set-up was done when the server went on").isTrue();
    assertThat(ranOn).hasValue("wharf-logging");

    var here = new java.util.concurrent.atomic.AtomicReference<Thread>();
    new LoggingSetUp(() -> here.set(Thread.currentThread())).await();
    assertThat(here).hasValue(Thread.currentThread());
  }

  /**
   * What follows the set-up (the time-zone rules) runs on its thread once it is done, and the
   * server that awaits the set-up does not wait for it; one that fails ends nothing.
   */
  @Test
  void whatFollowsTheSetUpRunsAfterItWithoutHoldingTheServer() throws Exception {
    var release = new java.util.concurrent.CountDownLatch(1);
    var ranOn = new java.util.concurrent.atomic.AtomicReference<String>();
    var setUp =
        new LoggingSetUp(
            () -> {},
            () -> {
              awaitRelease(release);
              ranOn.set(Thread.currentThread().getName());
            });
    setUp.begin();
    setUp.await(); // returns while what follows still waits for the release
    assertThat(ranOn).hasValue(null);
    release.countDown();
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    while (ranOn.get() == null && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(ranOn).hasValue("wharf-logging");

    var failing =
        new LoggingSetUp(
            () -> {},
            () -> {
              throw new IllegalStateException("no time-zone rules");
            });
    failing.begin();
    failing.await();

    // Without what follows (serve --quiet has no access log to need the time-zone rules).
    var followed = new java.util.concurrent.atomic.AtomicBoolean();
    var bare = new LoggingSetUp(() -> {}, () -> followed.set(true));
    bare.begin(false);
    bare.await();
    long end = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    while (Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("wharf-logging"))
        && System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .as("the set-up's thread ended")
        .noneMatch(t -> t.getName().equals("wharf-logging"));
    assertThat(followed).isFalse();
  }

  private static void awaitRelease(java.util.concurrent.CountDownLatch release) {
    try {
      release.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aLoggingSetUpThatFailedFailsTheServerThatAwaitsIt() {
    var setUp =
        new LoggingSetUp(
            () -> {
              throw new IllegalStateException("no time-zone rules");
            });
    setUp.begin();
    org.assertj.core.api.Assertions.assertThatThrownBy(setUp::await)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no time-zone rules");
  }

  /**
   * A selector provider the user names that the JDK could not use is one clear line at start, not
   * an internal error at the first selector; the JDK's own, and none named, pass.
   */
  @Test
  void aSelectorProviderTheJdkCannotUseIsToldAtStart() {
    assertThat(Main.unusableSelectorProvider(null)).isEmpty();
    assertThat(Main.unusableSelectorProvider(Main.EPOLL_SELECTOR_PROVIDER)).isEmpty();
    assertThat(Main.unusableSelectorProvider("sun.nio.ch.PollSelectorProvider")).isEmpty();
    assertThat(Main.unusableSelectorProvider("org.example.NoSuchProvider"))
        .contains(
            "-Djava.nio.channels.spi.SelectorProvider=org.example.NoSuchProvider: no such class");
    assertThat(Main.unusableSelectorProvider("java.lang.String"))
        .contains(
            "-Djava.nio.channels.spi.SelectorProvider=java.lang.String:"
                + " not a java.nio.channels.spi.SelectorProvider");
    assertThat(Main.unusableSelectorProvider("java.nio.channels.spi.SelectorProvider"))
        .hasValueSatisfying(
            line ->
                assertThat(line)
                    .endsWith("not a public class with a public constructor without parameters"));
  }

  /**
   * The selector provider named at start (to spare the JDK's search of every jar on the module
   * path) is the class the JDK chooses by itself, and a provider the user named stays theirs.
   */
  @Test
  void namesTheSelectorProviderTheJdkWouldChooseAndLeavesTheUsersOwn() {
    String property = "java.nio.channels.spi.SelectorProvider";
    // Initialized before the property changes: a selector opened meanwhile elsewhere in this JVM
    // must not meet the made-up name below.
    String jdksChoice = SelectorProvider.provider().getClass().getName();
    String before = System.getProperty(property);
    try {
      System.clearProperty(property);
      Main.nameTheSelectorProvider();
      assertThat(System.getProperty(property))
          .isEqualTo(Main.EPOLL_SELECTOR_PROVIDER)
          .isEqualTo(jdksChoice);

      System.setProperty(property, "org.example.UsersOwnSelectorProvider");
      Main.nameTheSelectorProvider();
      assertThat(System.getProperty(property)).isEqualTo("org.example.UsersOwnSelectorProvider");
    } finally {
      if (before == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, before);
      }
    }
  }

  /** Paths are converted by Path.of, registered on every command (not picocli's reflection). */
  @Test
  void pathArgumentsBecomePathsOnEveryCommand() {
    for (String[] args :
        new String[][] {
          {"get", "-o", "dir/fïle name", "http://127.0.0.1:9/"},
          {"serve", "-d", "dir/fïle name"},
          {"trace", "-r", "dir/fïle name"}
        }) {
      for (CommandLine commandLine : List.of(Main.commandLine(), Main.commandLine(args))) {
        CommandLine.ParseResult command = commandLine.parseArgs(args).subcommand();
        Object value = command.matchedOptionValue(args[1], null);
        assertThat(value).as("%s", List.of(args)).isEqualTo(Path.of("dir/fïle name"));
      }
    }
  }
}
