package dev.wharf.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A peer program (openssl, curl, nc, python3, ...) run for a test. {@link #start} keeps it running:
 * its output collected as it comes, waited on with deadlines (whole or line by line), and ended
 * (with its children's pipes) by {@link #close()}. {@link #run} runs one to its end and returns its
 * exit code and output. {@link #command} says more: a directory, environment, input file, and
 * whether standard error is merged into the output or kept apart.
 */
public final class ExternalProcess implements AutoCloseable {
  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final StringBuffer errors = new StringBuffer();
  private final Thread reader;
  private final Thread errorReader; // null when standard error is merged into the output
  private int nextLine; // where the output not yet taken by awaitLine starts; guarded by this

  private ExternalProcess(Process process, boolean errorsMerged) {
    this.process = process;
    this.reader = collect(process.getInputStream(), output);
    this.errorReader = errorsMerged ? null : collect(process.getErrorStream(), errors);
  }

  /** Reads {@code in} into {@code into} on a virtual thread until it ends. */
  private static Thread collect(InputStream in, StringBuffer into) {
    return Thread.ofVirtual()
        .start(
            () -> {
              byte[] buffer = new byte[8192];
              try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                  into.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
              } catch (IOException ended) {
                // The process went away; what it said is kept.
              }
            });
  }

  /** What a program run to its end said: its standard output as bytes, its standard error. */
  public record Result(int exit, byte[] stdout, String err) {
    /** Standard output as UTF-8. */
    public String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Standard output byte for byte as characters (ISO-8859-1), for protocol text. */
    public String outLatin1() {
      return new String(stdout, StandardCharsets.ISO_8859_1);
    }
  }

  /** A command to run or start, with how: see the methods of {@link Command}. */
  public static Command command(List<String> command) {
    return new Command(command);
  }

  public static Command command(String... command) {
    return new Command(List.of(command));
  }

  /**
   * Runs {@code command} to its end with no input, within {@code timeout} (else it fails, the
   * process killed); standard error is read alongside so neither pipe can fill and stall it.
   */
  public static Result run(Duration timeout, List<String> command) throws IOException {
    return command(command).run(timeout);
  }

  public static Result run(Duration timeout, String... command) throws IOException {
    return command(command).run(timeout);
  }

  /** As {@link #run(Duration, List)}, in the directory {@code dir} (null: this one). */
  public static Result run(Duration timeout, Path dir, List<String> command) throws IOException {
    return command(command).in(dir).run(timeout);
  }

  /** Starts {@code command}, standard error merged into the output. */
  public static ExternalProcess start(List<String> command) throws IOException {
    return command(command).mergeErrors().start();
  }

  /** Starts {@code command} in {@code dir}, standard error merged into the output. */
  public static ExternalProcess start(Path dir, List<String> command) throws IOException {
    return command(command).in(dir).mergeErrors().start();
  }

  /** How to run a program: set what differs from the defaults, then {@link #run} or start it. */
  public static final class Command {
    private static final File NO_INPUT = new File("/dev/null");

    private final List<String> command;
    private final Map<String, String> environment = new HashMap<>();
    private Path dir;
    private Path input;
    private boolean errorsMerged;

    private Command(List<String> command) {
      this.command = new ArrayList<>(command);
    }

    /** Runs in {@code dir} (null: this one). */
    public Command in(Path dir) {
      this.dir = dir;
      return this;
    }

    /** Sets a variable of its environment, besides the test's own. */
    public Command environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** Reads its standard input from {@code file} (for {@link #run}: else it reads nothing). */
    public Command input(Path file) {
      this.input = file;
      return this;
    }

    /**
     * Merges standard error into the output, in the order the program wrote them (for {@link #run}:
     * the result's {@code err} is then empty).
     */
    public Command mergeErrors() {
      this.errorsMerged = true;
      return this;
    }

    private ProcessBuilder builder() {
      var builder = new ProcessBuilder(command).redirectErrorStream(errorsMerged);
      if (dir != null) {
        builder.directory(dir.toFile());
      }
      builder.environment().putAll(environment);
      return builder;
    }

    /** Starts it; its standard input stays a pipe unless {@link #input} names a file. */
    public ExternalProcess start() throws IOException {
      var builder = builder();
      if (input != null) {
        builder.redirectInput(input.toFile());
      }
      return new ExternalProcess(builder.start(), errorsMerged);
    }

    /**
     * Runs it to its end within {@code timeout} (else it fails, the process killed); both pipes are
     * read alongside so that neither can fill and stall it.
     */
    public Result run(Duration timeout) throws IOException {
      var builder =
          builder()
              .redirectInput(
                  ProcessBuilder.Redirect.from(input == null ? NO_INPUT : input.toFile()));
      Process process = builder.start();
      try {
        var err = readAll(process.getErrorStream());
        var out = readAll(process.getInputStream());
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError(command + " did not end within " + timeout);
        }
        return new Result(
            process.exitValue(),
            out.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
            new String(err.get(timeout.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted running " + command, e);
      } catch (ExecutionException | TimeoutException e) {
        throw new AssertionError("the output of " + command + " was not read to its end", e);
      } finally {
        process.destroyForcibly();
      }
    }

    private static CompletableFuture<byte[]> readAll(InputStream stream) {
      var all = new CompletableFuture<byte[]>();
      Thread.ofVirtual()
          .start(
              () -> {
                try (InputStream in = stream) {
                  all.complete(in.readAllBytes());
                } catch (IOException e) {
                  all.complete(new byte[0]);
                }
              });
      return all;
    }
  }

  public String output() {
    return output.toString();
  }

  /** Its standard error so far, when kept apart from the output (else empty). */
  public String errors() {
    return new String(
        errors.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** Waits until the output satisfies {@code condition}; fails with the output if it never does. */
  public String awaitOutput(String what, Duration timeout, Predicate<String> condition) {
    String[] now = new String[1];
    boolean seen =
        Await.within(
            timeout,
            () -> {
              now[0] = output();
              if (condition.test(now[0])) {
                return true;
              }
              if (!process.isAlive() && !reader.isAlive()) {
                throw new AssertionError(
                    "the process ended (exit "
                        + process.exitValue()
                        + ") before "
                        + what
                        + ":\n"
                        + now[0]);
              }
              return false;
            });
    if (!seen) {
      throw new AssertionError("timed out waiting for " + what + "; output so far:\n" + now[0]);
    }
    return now[0];
  }

  public String awaitOutputContaining(String text, Duration timeout) {
    return awaitOutput("\"" + text + "\"", timeout, out -> out.contains(text));
  }

  /**
   * The next line of output (UTF-8, without its line end), or null once the output has ended with
   * every line taken; fails if no whole line comes within {@code timeout}.
   */
  public synchronized String awaitLine(Duration timeout) {
    String[] line = new String[1];
    boolean came =
        Await.within(
            timeout,
            () -> {
              boolean ended = !reader.isAlive(); // before the look, so nothing is missed
              String now = output();
              int end = now.indexOf('\n', nextLine);
              if (end >= 0) {
                line[0] = utf8(now.substring(nextLine, end));
                nextLine = end + 1;
                return true;
              }
              if (ended) {
                line[0] = nextLine < now.length() ? utf8(now.substring(nextLine)) : null;
                nextLine = now.length();
                return true;
              }
              return false;
            });
    if (!came) {
      throw new AssertionError(
          "no line of output within " + timeout + "; standard error:\n" + errors());
    }
    return line[0];
  }

  /** Every line until the output ends, which must be within {@code timeout}. */
  public List<String> awaitLines(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    var lines = new ArrayList<String>();
    String line;
    while ((line = awaitLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))))
        != null) {
      lines.add(line);
    }
    return lines;
  }

  private static String utf8(String latin1) {
    String line = latin1.endsWith("\r") ? latin1.substring(0, latin1.length() - 1) : latin1;
    return new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  public void send(String text) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write(text.getBytes(StandardCharsets.ISO_8859_1));
    in.flush();
  }

  public void closeInput() throws IOException {
    process.getOutputStream().close();
  }

  /** Waits for the process to end and its output to be read; returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the process did not end within " + timeout + ":\n" + output());
    }
    reader.join(timeout);
    if (errorReader != null) {
      errorReader.join(timeout);
    }
    return process.exitValue();
  }

  /** Its process id: what {@code ss -p} and {@code /proc} know it by. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      reader.join(Duration.ofSeconds(5));
      if (errorReader != null) {
        errorReader.join(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
