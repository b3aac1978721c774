package dev.wharf.cli;

import dev.wharf.cli.audit.AuditCommand;
import dev.wharf.cli.channels.PubCommand;
import dev.wharf.cli.channels.SubCommand;
import dev.wharf.cli.dns.DnsCommand;
import dev.wharf.cli.get.GetCommand;
import dev.wharf.cli.packets.PingCommand;
import dev.wharf.cli.packets.TraceCommand;
import dev.wharf.cli.scan.ScanCommand;
import dev.wharf.cli.serve.ServeCommand;
import dev.wharf.cli.socket.ConnectCommand;
import dev.wharf.cli.socket.EchoCommand;
import dev.wharf.cli.socket.ListenCommand;
import dev.wharf.cli.sockets.SocketsCommand;
import dev.wharf.cli.ws.WsCommand;
import java.util.concurrent.Callable;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wharf} command: parses arguments and runs one subcommand. */
@Command(
    name = "wharf",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A socket toolkit: servers, clients and socket tools on one event-driven engine.",
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
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static {
    // The engine logs through System.Logger (java.util.logging here): one line each on stderr,
    // without stack traces, as everything else this command prints.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "wharf: %4$s: %5$s%n");
    }
  }

  /**
   * Loads now what logging loads for its first message, for commands that serve: the formatter
   * stamps every record with the local time, and the time-zone rules come from a file ({@code
   * lib/tzdb.dat}). A server's first message may come when a flood of connections has used up the
   * descriptors; the file cannot be opened then, and the {@link Error} that followed ended the
   * accepting loop. Costs tens of milliseconds, once.
   */
  public static void prepareLogging() {
    var record = new LogRecord(Level.INFO, "");
    for (Handler handler : Logger.getLogger("").getHandlers()) {
      if (handler.getFormatter() != null) {
        handler.getFormatter().format(record);
      }
    }
  }

  public static void main(String[] args) {
    Failures.exitOnUncaught();
    System.exit(run(args));
  }

  /** Runs the command and returns its exit code (for tests and the launcher). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    var commandLine = new CommandLine(new Main());
    // curl's -d @FILE and a file name that starts with @ are the command's to read: picocli's
    // @argfile expansion would read arguments, even options, from them instead.
    commandLine.setExpandAtFiles(false);
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
