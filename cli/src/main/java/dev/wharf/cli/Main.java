package dev.wharf.cli;

import dev.wharf.cli.audit.AuditCommand;
import dev.wharf.cli.bench.BenchCommand;
import dev.wharf.cli.channels.PubCommand;
import dev.wharf.cli.channels.SubCommand;
import dev.wharf.cli.dns.DnsCommand;
import dev.wharf.cli.get.GetCommand;
import dev.wharf.cli.logging.LoggingConfig;
import dev.wharf.cli.packets.PingCommand;
import dev.wharf.cli.packets.TraceCommand;
import dev.wharf.cli.scan.ScanCommand;
import dev.wharf.cli.serve.ServeCommand;
import dev.wharf.cli.socket.ConnectCommand;
import dev.wharf.cli.socket.EchoCommand;
import dev.wharf.cli.socket.ListenCommand;
import dev.wharf.cli.sockets.SocketsCommand;
import dev.wharf.cli.ws.WsCommand;
import java.lang.reflect.Modifier;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code wharf} command: parses arguments and runs one subcommand. */
@Command(
    name = Main.NAME,
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = Main.DESCRIPTION,
    subcommands = {
      ServeCommand.class,
      GetCommand.class,
      ListenCommand.class,
      ConnectCommand.class,
      EchoCommand.class,
      WsCommand.class,
      SocketsCommand.class,
      ScanCommand.class,
      AuditCommand.class,
      PingCommand.class,
      TraceCommand.class,
      DnsCommand.class,
      SubCommand.class,
      PubCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {
  /** The command's name, in its annotation and in {@link #root()}. */
  static final String NAME = "wharf";

  /** What --help says the command is, in its annotation and in {@link #commandLine()}. */
  static final String DESCRIPTION =
      "A socket toolkit: servers, clients and socket tools on one event-driven engine.";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** picocli's list of types (regular expressions) it registers no converter for. */
  static final String PICOCLI_CONVERTER_EXCLUDES = "picocli.converters.excludes";

  static {
    // The engine logs through System.Logger (java.util.logging here): one line each on stderr,
    // without stack traces, as everything else this command prints (logging.StderrLines). A
    // configuration the user names (a file or a class) is theirs; its SimpleFormatter, if any,
    // gets the same format.
    if (System.getProperty("java.util.logging.config.class") == null
        && System.getProperty("java.util.logging.config.file") == null) {
      System.setProperty("java.util.logging.config.class", LoggingConfig.class.getName());
    }
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "wharf: %4$s: %5$s%n");
    }
    // picocli registers converters for java.time's and java.sql's types by reflection whenever it
    // builds a command line: each class loaded and initialized (java.time.MonthDay builds every ISO
    // date formatter, 10 ms of a start), java.sql's not found (a module the command does not
    // resolve) and thrown for. No option of Wharf's has one of those types (MainTest checks).
    if (System.getProperty(PICOCLI_CONVERTER_EXCLUDES) == null) {
      System.setProperty(PICOCLI_CONVERTER_EXCLUDES, "java.time.*,java.sql.*");
    }
  }

  private static final LoggingSetUp LOGGING =
      new LoggingSetUp(Main::loadLogging, Main::loadTimeZone);

  /**
   * The system's time zone and its rules (the JDK's tzdb.dat), which the access log's first line
   * needs: loaded cold on the loop at the first request, they took 8 ms before that request's
   * answer was flushed. Loaded after the logging set-up, on its thread, while main binds; not for a
   * server without an access log.
   */
  private static void loadTimeZone() {
    java.time.ZoneId.systemDefault().getRules();
  }

  /** The commands that bind a server, and so call {@link #prepareLogging()} before they bind. */
  private static final Set<String> SERVERS = Set.of("serve", "listen", "echo");

  /**
   * Loads now what logging loads for its first message, for commands that serve: the logging back
   * end (found by a search of every jar of the module path), java.util.logging's configuration,
   * handler and level names (and, under a configuration of the user's with a SimpleFormatter, the
   * time-zone rules, from a file). A server's first message may come when a flood of connections
   * has used up the descriptors; no file can be opened then, and the {@link Error} that followed
   * once ended the accepting loop. Costs tens of milliseconds, once; for a server named on the
   * command line it was begun on a thread of its own at start (main), and this waits for it.
   */
  public static void prepareLogging() {
    LOGGING.await();
  }

  /** The JDK's own selector provider on Linux, the one it would choose after its search. */
  static final String EPOLL_SELECTOR_PROVIDER = "sun.nio.ch.EPollSelectorProvider";

  private static final String SELECTOR_PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";

  /**
   * Names the JDK's epoll selector provider in the property {@link SelectorProvider#provider()}
   * reads first, on Linux and unless the user named one: without it, the JDK looks for a provider
   * with a ServiceLoader search that opens every jar of the module path, to find none of ours and
   * fall back to this same class (a {@code get} of a small file: 13 ms less wall time and 20 ms
   * less CPU, median of 21 alternated). The property is the JDK's documented way to choose the
   * provider, and stays the user's ({@code WHARF_JAVA_OPTS=-Djava.nio...}).
   */
  static void nameTheSelectorProvider() {
    if (System.getProperty(SELECTOR_PROVIDER_PROPERTY) != null
        || !"Linux".equals(System.getProperty("os.name"))) {
      return;
    }
    try {
      // Loaded, not initialized: a JDK without it (not OpenJDK's class library) keeps its search.
      Class.forName(EPOLL_SELECTOR_PROVIDER, false, ClassLoader.getPlatformClassLoader());
    } catch (ClassNotFoundException notThisJdk) {
      return;
    }
    System.setProperty(SELECTOR_PROVIDER_PROPERTY, EPOLL_SELECTOR_PROVIDER);
  }

  /**
   * Why the selector provider the user named cannot be used, or empty when it can or none was
   * named. The JDK loads it only at the first selector, and fails then with an error without a
   * message (a {@code ServiceConfigurationError}, the class not found as its cause) that stopped
   * the command as an internal error; asked here first, it is one clear line. The same checks as
   * the JDK's: a public class of the system class loader, a {@link SelectorProvider}, with a public
   * constructor without parameters. Loaded but not initialized.
   */
  static Optional<String> unusableSelectorProvider(String className) {
    if (className == null) {
      return Optional.empty();
    }
    String problem;
    try {
      Class<?> named = Class.forName(className, false, ClassLoader.getSystemClassLoader());
      if (!SelectorProvider.class.isAssignableFrom(named)) {
        problem = "not a java.nio.channels.spi.SelectorProvider";
      } else if (!Modifier.isPublic(named.getModifiers())
          || Modifier.isAbstract(named.getModifiers())
          || !Modifier.isPublic(named.getConstructor().getModifiers())) {
        problem = "not a public class with a public constructor without parameters";
      } else {
        return Optional.empty();
      }
    } catch (ClassNotFoundException | NoClassDefFoundError missing) {
      problem = "no such class";
    } catch (NoSuchMethodException noDefault) {
      problem = "not a public class with a public constructor without parameters";
    }
    return Optional.of("-D" + SELECTOR_PROVIDER_PROPERTY + "=" + className + ": " + problem);
  }

  /**
   * Initializes the selector provider for a server before its first connection: the one {@link
   * #nameTheSelectorProvider()} named, or, where the user named another or this JDK has none of
   * that name, the one the JDK's search finds, which opens every jar of the module path (35-65 ms
   * of CPU), something a server out of descriptors could not do.
   */
  private static void loadSelectorProvider() {
    SelectorProvider.provider();
  }

  private static void loadLogging() {
    // The logger finder the engine's LazyLoggers will ask for at their first line, found now: it
    // opens the module path's jars, which a server out of descriptors could not.
    System.getLogger(Main.class.getName()).isLoggable(System.Logger.Level.INFO);
    loadSelectorProvider();
    var record = new LogRecord(Level.INFO, "");
    for (Handler handler : Logger.getLogger("").getHandlers()) {
      if (handler.getFormatter() != null) {
        handler.getFormatter().format(record);
      }
    }
  }

  public static void main(String[] args) {
    Failures.exitOnUncaught();
    Optional<String> unusable =
        unusableSelectorProvider(System.getProperty(SELECTOR_PROVIDER_PROPERTY));
    if (unusable.isPresent()) {
      System.err.println("wharf: " + unusable.get());
      System.err.flush();
      Runtime.getRuntime().halt(Failures.USAGE);
    }
    nameTheSelectorProvider();
    if (startsAServer(args)) {
      // java.util.logging's set-up (its configuration, handler, formatter and the time-zone rules,
      // and the module path's jars opened as the back end is looked for) took tens of ms of a
      // serve start on the main thread; on its own it overlaps picocli's model.
      // The time-zone rules only for an access log: a --quiet serve held 2 MB more for them.
      LOGGING.begin(!List.of(args).contains("--quiet"));
    }
    int code = run(args);
    if (endsWithoutHooks(args)) {
      // System.exit asks java.lang.Runtime's System.Logger whether to log the exit (JDK 17+),
      // which on first use finds the logging backend (a search of every jar on the module path for
      // a LoggerFinder, then java.util.logging's set-up): 60 ms of a 280 ms --version, and a fifth
      // of its CPU (bench/startup). A command that registers no shutdown hook needs nothing else
      // of it: what it wrote to stdout and stderr is flushed, and the process ends.
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(code);
    }
    System.exit(code);
  }

  /**
   * The commands that register no shutdown hook and start nothing that does (no server, broker
   * client or capture), and so may end without System.exit: these, and no command at all
   * (--version, --help, a usage mistake).
   */
  private static final Set<String> WITHOUT_HOOKS = Set.of("get", "sockets", "scan", "audit", "dns");

  /**
   * True when the arguments name one of {@link #WITHOUT_HOOKS}, or no command ({@code dns serve} is
   * a server).
   */
  static boolean endsWithoutHooks(String... args) {
    String command = null;
    for (String arg : args) {
      if (arg.equals("--")) {
        break;
      }
      if (!arg.startsWith("-")) {
        if (command == null) {
          command = arg;
        } else if (command.equals("dns") && arg.equals("serve")) {
          return false;
        }
      }
    }
    return command == null || WITHOUT_HOOKS.contains(command);
  }

  /** True when the arguments name a command that binds a server (its first word, as picocli's). */
  static boolean startsAServer(String... args) {
    return SERVERS.contains(firstWord(args));
  }

  /** The first word that is not an option (the root's options take no values), or "". */
  private static String firstWord(String... args) {
    for (String arg : args) {
      if (arg.equals("--")) {
        return "";
      }
      if (!arg.startsWith("-")) {
        return arg;
      }
    }
    return "";
  }

  /** Runs the command and returns its exit code (for tests and the launcher). */
  public static int run(String... args) {
    return commandLine(args).execute(args);
  }

  /**
   * The whole command line: every subcommand, as --help lists them, in the generated models but
   * picocli's help command (its own class, read by reflection).
   */
  static CommandLine commandLine() {
    var main = new Main();
    CommandSpec spec = CommandSpec.wrapWithoutInspection(main).name(NAME);
    spec.usageMessage().description(DESCRIPTION);
    spec.versionProvider(new Version());
    for (String name : GeneratedModels.commandNames()) {
      spec.addSubcommand(name, new CommandLine(GeneratedModels.command(name)));
    }
    spec.addSubcommand("help", new CommandLine(new CommandLine.HelpCommand()));
    main.spec = spec;
    spec.addMixin("mixinStandardHelpOptions", StandardHelp.mixin());
    return configure(new CommandLine(spec));
  }

  /**
   * The command line these arguments need: when they name a subcommand (other than help), the root
   * with that one alone; for a bare --version, the root alone; for anything else (--help, no
   * command, a mistyped one) the whole. The chosen command's model is the generated one ({@code
   * GeneratedModels}, written from the annotations by cli's tests): picocli's reflection over every
   * option of a command, and the JDK's annotation proxies under it, cost most of a start (issue
   * 16). The root alone has the same name, -h and -V, so the chosen command parses, reports and
   * names itself as in the whole.
   */
  static CommandLine commandLine(String... args) {
    String word = null;
    for (String arg : args) {
      if (arg.equals("--")) {
        return commandLine();
      }
      if (!arg.startsWith("-")) {
        word = arg;
        break;
      }
    }
    if (word == null) {
      return args.length > 0 && Stream.of(args).allMatch(VERSION::contains)
          ? configure(new CommandLine(root()))
          : commandLine();
    }
    CommandSpec chosen = GeneratedModels.command(word);
    if (chosen == null) {
      return commandLine();
    }
    var commandLine = new CommandLine(root());
    commandLine.addSubcommand(chosen.name(), new CommandLine(chosen));
    return configure(commandLine);
  }

  private static final Set<String> VERSION = Set.of("-V", "--version");

  /**
   * Main's command without its subcommands, for parsing only: what a chosen one sees of it. Built
   * from constants the annotation shares, not from the annotation (read, it is a proxy class made
   * at run time).
   */
  static CommandSpec root() {
    return CommandSpec.create()
        .name(NAME)
        .addMixin("mixinStandardHelpOptions", StandardHelp.mixin())
        .versionProvider(new Version());
  }

  private static CommandLine configure(CommandLine commandLine) {
    // curl's -d @FILE and a file name that starts with @ are the command's to read: picocli's
    // @argfile expansion would read arguments, even options, from them instead.
    commandLine.setExpandAtFiles(false);
    // picocli's own converter for Path calls Paths.get by reflection (it predates Java 7), and the
    // JDK makes that Method's accessor at its first call: 8 ms of a `get -o FILE` (async-profiler,
    // wall clock), and of any command given a file by an option (serve -d, --cert, trace -r). The
    // same call, made directly.
    commandLine.registerConverter(Path.class, Path::of);
    commandLine.setExecutionExceptionHandler(new Failures());
    commandLine.setParameterExceptionHandler(new Failures());
    return commandLine;
  }

  /**
   * {@code wharf} alone is a mistake, as {@code curl} alone is: the list of commands goes to stderr
   * and the exit code is 2, so that a script that lost its arguments does not carry on.
   */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Failures.USAGE;
  }

  /**
   * The version of the jar: its module's (the jar tool records it in module-info.class) on the
   * module path, where packages carry no manifest versions; the manifest's on the class path.
   */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      var module = Main.class.getModule().getDescriptor();
      String version =
          module != null && module.rawVersion().isPresent()
              ? module.rawVersion().get()
              : Main.class.getPackage().getImplementationVersion();
      return new String[] {
        "wharf " + (version == null ? "(development build)" : version),
        "Java "
            + Runtime.version()
            + " on "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch")
      };
    }
  }
}
