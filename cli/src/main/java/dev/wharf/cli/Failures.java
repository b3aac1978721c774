package dev.wharf.cli;

import dev.wharf.cli.tls.TlsFailures;
import dev.wharf.core.CloseReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;

/**
 * Turns failures into one clear line on stderr and a non-zero exit, never a stack trace: 1 for a
 * network or I/O failure, 2 for a mistake in the command line (as BSD's sysexits and curl's usage
 * error do), 3 for a URL that cannot be used (curl's), 70 for a bug (sysexits' EX_SOFTWARE).
 */
public final class Failures
    implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
  public static final int IO_FAILURE = 1;
  static final int USAGE = 2;
  static final int MALFORMED_URL = 3;
  static final int INTERNAL_ERROR = 70;

  @Override
  public int handleExecutionException(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    Throwable cause = unwrap(e);
    PrintWriter err = commandLine.getErr();
    err.println(name(commandLine) + ": " + describe(cause));
    err.flush();
    return switch (cause) {
      case Urls.Malformed malformed -> MALFORMED_URL;
      case IllegalArgumentException usage -> USAGE;
      default -> IO_FAILURE;
    };
  }

  /**
   * The last resort for an exception no code caught, on any thread of the command: one line and
   * exit 70, rather than a stack trace from a thread that dies while the main thread waits for it
   * for ever. Installed by {@link Main#main} only, so that tests in the same JVM keep theirs.
   */
  static void exitOnUncaught() {
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, e) -> {
          System.err.println(
              "wharf: internal error on thread " + thread.getName() + ": " + describe(e));
          System.err.flush();
          // halt, not exit: exit from a shutdown hook's thread would wait for itself.
          Runtime.getRuntime().halt(INTERNAL_ERROR);
        });
  }

  @Override
  public int handleParseException(CommandLine.ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    String name = name(commandLine);
    if (commandLine.getParent() == null
        && e instanceof CommandLine.UnmatchedArgumentException unmatched
        && !unmatched.getUnmatched().isEmpty()
        && !unmatched.getUnmatched().getFirst().startsWith("-")) {
      err.println(name + ": " + unknownCommand(commandLine, unmatched));
    } else {
      err.println(name + ": " + e.getMessage());
    }
    err.println("Try '" + name + " --help' for more.");
    err.flush();
    return USAGE;
  }

  /** The commands the README announces but that are not built yet: none at the moment. */
  private static final java.util.Set<String> PLANNED = java.util.Set.of();

  /** What to say about a first word that is no command: planned, a typo, or unknown. */
  private static String unknownCommand(
      CommandLine commandLine, CommandLine.UnmatchedArgumentException unmatched) {
    String word = unmatched.getUnmatched().getFirst();
    List<String> commands =
        commandLine.getSubcommands().keySet().stream().filter(c -> !c.equals("help")).toList();
    if (PLANNED.contains(word)) {
      return "'"
          + word
          + "' is planned but not built yet; the commands are "
          + String.join(", ", commands);
    }
    // picocli's own suggestions find "listen" in "frobnicate": only a slip of a letter or two,
    // one in a short name ("x" is not "ws").
    for (String command : commands) {
      if (editDistance(word, command) <= Math.max(1, Math.min(2, command.length() / 3))) {
        return "unknown command '" + word + "'; did you mean '" + command + "'?";
      }
    }
    return "unknown command '" + word + "'; the commands are " + String.join(", ", commands);
  }

  /** Levenshtein's distance: letters inserted, deleted or replaced to turn a into b. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * How a command calls itself in messages: {@code wharf}, {@code wharf get}, {@code wharf dns
   * serve}.
   */
  static String name(CommandLine commandLine) {
    // The whole path of a nested command: "wharf dns serve", not "wharf serve". A command run
    // on its own (a test's) speaks as the tool.
    return commandLine.getParent() == null
        ? "wharf"
        : commandLine.getCommandSpec().qualifiedName(" ");
  }

  public static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException
            || t instanceof ExecutionException
            || t instanceof UncheckedIOException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The message of a failure, lower-cased at its start as command-line tools print them, with
   * advice where there is some to give (an untrusted certificate).
   */
  public static String describe(Throwable t) {
    if (t instanceof FileSystemException file) {
      return describe(file);
    }
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      message = t instanceof IOException ? "I/O error" : t.getClass().getSimpleName();
    }
    // "Connection reset" reads "connection reset"; "IPv6 ..." keeps its capitals.
    if (message.length() > 1
        && Character.isUpperCase(message.charAt(0))
        && Character.isLowerCase(message.charAt(1))) {
      message = Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
    return message + TlsFailures.advice(t);
  }

  /**
   * A file that could not be opened, with its name and the reason: the JDK's NoSuchFileException
   * says only the name ("wharf get: missing.txt").
   */
  private static String describe(FileSystemException e) {
    String reason =
        switch (e) {
          case NoSuchFileException missing -> "no such file or directory";
          case AccessDeniedException denied -> "permission denied";
          case NotDirectoryException notDirectory -> "not a directory";
          case FileAlreadyExistsException exists -> "already exists";
          default ->
              e.getReason() == null
                  ? "cannot use the file"
                  : describe(new IOException(e.getReason()));
        };
    return reason + ": " + e.getFile();
  }

  /**
   * The exit code for a connection that ended: 0 when it closed cleanly, else the failure thrown so
   * that it is reported like any other.
   */
  public static int exitCode(CloseReason reason) throws Exception {
    if (!reason.isFailure()) {
      return 0;
    }
    if (reason.error().orElse(null) instanceof Exception e) {
      throw e;
    }
    throw new IOException(reason.message());
  }
}
