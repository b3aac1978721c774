package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child process in an end-to-end test: {@code wharf} itself, run from the test's class path with
 * the test's JVM, or a peer such as socat. Its stderr is read into lines as they come; stdin and
 * stdout go to files or stay pipes, as the test says. {@link #end} ends it.
 */
public final class Child {
  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  private final String name;
  private final Process process;
  private final List<String> errLines = new ArrayList<>(); // guarded by itself
  private boolean errEnded; // guarded by errLines

  private Child(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread.ofPlatform().daemon(true).name(name + "-stderr").start(this::readErr);
  }

  /**
   * Starts {@code wharf args} with these environment variables besides the test's own; stdin and
   * stdout are files when given, else pipes.
   */
  public static Child wharf(
      Map<String, String> environment, Path stdin, Path stdout, String... args) throws IOException {
    return wharf(environment, stdin, stdout, false, args);
  }

  /**
   * Starts {@code wharf args}; with {@code hearsSigint}, with SIGINT's default handling, which a
   * process started in the background of a shell without job control (a CI script) inherits as
   * ignored, so that the JVM would never see Ctrl-C.
   */
  public static Child wharf(
      Map<String, String> environment, Path stdin, Path stdout, boolean hearsSigint, String... args)
      throws IOException {
    return wharfUnder(
        hearsSigint ? List.of("/usr/bin/env", "--default-signal=INT") : List.of(),
        environment,
        stdin,
        stdout,
        args);
  }

  /**
   * Starts {@code wharf args} under a command that sets up its process, such as {@code prlimit
   * --nofile=256 --}.
   */
  public static Child wharfUnder(
      List<String> prefix, Map<String, String> environment, Path stdin, Path stdout, String... args)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    var command = new ArrayList<String>(prefix);
    command.addAll(
        List.of(
            java,
            // As the jar's manifest does (Enable-Native-Access): zlib for small deflate windows.
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName()));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    return start("wharf", builder, stdin, stdout);
  }

  /** Starts any program, such as socat. */
  public static Child start(Path stdin, Path stdout, String... command) throws IOException {
    return start(command[0], new ProcessBuilder(command), stdin, stdout);
  }

  private static Child start(String name, ProcessBuilder builder, Path stdin, Path stdout)
      throws IOException {
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    if (stdout != null) {
      builder.redirectOutput(stdout.toFile());
    }
    return new Child(name, builder.start());
  }

  public Process process() {
    return process;
  }

  private void readErr() {
    try (var reader =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        synchronized (errLines) {
          errLines.add(line);
        }
      }
    } catch (IOException e) {
      // The process is gone; what it said is kept.
    } finally {
      synchronized (errLines) {
        errEnded = true;
      }
    }
  }

  public List<String> errLines() {
    synchronized (errLines) {
      return List.copyOf(errLines);
    }
  }

  /** Waits for a stderr line that contains a match of {@code regex} and returns the match. */
  public Matcher awaitErr(String regex) throws InterruptedException {
    Pattern pattern = Pattern.compile(regex);
    if (!awaitErrUnlessEnded(() -> !matches(pattern).isEmpty())) {
      throw new AssertionError(
          name + " printed no line matching " + regex + "; stderr: " + errLines());
    }
    return matches(pattern).getFirst();
  }

  /** Waits until {@code count} stderr lines contain a match of {@code regex}. */
  public void awaitErr(String regex, int count) throws InterruptedException {
    Pattern pattern = Pattern.compile(regex);
    if (!awaitErrUnlessEnded(() -> matches(pattern).size() >= count)) {
      throw new AssertionError(
          name + " printed fewer than " + count + " lines matching " + regex + ": " + errLines());
    }
  }

  /** The stderr lines so far that contain a match, each matcher on its first match. */
  private List<Matcher> matches(Pattern pattern) {
    return errLines().stream().map(pattern::matcher).filter(Matcher::find).toList();
  }

  /**
   * Whether {@code condition} on stderr holds within the default wait. Once stderr has ended no
   * line can come to make it hold, so the wait stops there rather than at the deadline.
   */
  private boolean awaitErrUnlessEnded(BooleanSupplier condition) {
    Await.within(DEFAULT_WAIT, () -> condition.getAsBoolean() || errEnded());
    return condition.getAsBoolean();
  }

  private boolean errEnded() {
    synchronized (errLines) {
      return errEnded;
    }
  }

  /** Waits for the process to exit and returns its code. */
  public int awaitExit() throws InterruptedException {
    return awaitExit(DEFAULT_WAIT);
  }

  /** Waits this long for the process to exit and returns its code. */
  public int awaitExit(Duration wait) throws InterruptedException {
    if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit; stderr: " + errLines());
    }
    // Let the stderr reader catch up with the last lines.
    Await.within(DEFAULT_WAIT, this::errEnded);
    return process.exitValue();
  }

  /** Waits for the process to exit and checks its code and that stderr said exactly this. */
  public void assertExitsWith(int code, String... stderr) throws InterruptedException {
    assertThat(awaitExit()).as("exit code; stderr: %s", errLines()).isEqualTo(code);
    assertThat(errLines()).containsExactly(stderr);
  }

  /** Sends a signal by name (INT, TERM), as kill(1) does. */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(DEFAULT_WAIT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
      kill.destroyForcibly();
      throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Asks the process to stop (SIGTERM) and waits; then kills it if it would not. */
  public void end() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
