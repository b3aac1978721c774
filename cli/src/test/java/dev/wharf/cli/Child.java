package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Await;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A child process in an end-to-end test: {@code wharf} itself, run with the test's JVM as the
 * launcher runs it (see {@link #javaCommand}), or a peer such as socat. Its stderr is read into
 * lines as they come; stdin and stdout go to files or stay pipes, as the test says. {@link #end}
 * ends it.
 */
public final class Child {
  // A deadline, not a pause: a JVM started on a 2-core machine busy with a build and other tests
  // has taken more than 10 s to exit; a passing test never waits for it.
  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

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
    var command = new ArrayList<String>(prefix);
    command.addAll(javaCommand(Main.class));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    return start("wharf", builder, stdin, stdout);
  }

  /**
   * The command that runs {@code mainClass}'s {@code main} with this test's JVM and its code. When
   * the test runs in the named module dev.wharf.cli (surefire and failsafe put it on the module
   * path), so does the child, as {@code ./wharf} starts it: {@code -p} this JVM's module path,
   * {@code -m dev.wharf.cli/...}, native access for dev.wharf.websocket's zlib, and nothing else
   * resolved than what the descriptors require. A main class of the tests' own (not in the module's
   * jar or classes) is patched in. On the class path (an IDE that puts it there), as {@code java
   * -jar} would run it.
   */
  public static List<String> javaCommand(Class<?> mainClass) {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Module module = mainClass.getModule();
    if (!module.isNamed()) {
      return List.of(
          java,
          "--enable-native-access=ALL-UNNAMED",
          "-cp",
          System.getProperty("java.class.path"),
          mainClass.getName());
    }
    var command = new ArrayList<>(List.of(java));
    if (mainClass == Main.class) {
      command.addAll(StartupCache.OPTIONS);
    }
    command.addAll(moduleOptions());
    Path classes = classesOf(mainClass);
    Path moduleLocation =
        Path.of(
            module
                .getLayer()
                .configuration()
                .findModule(module.getName())
                .orElseThrow()
                .reference()
                .location()
                .orElseThrow());
    if (!classes.equals(moduleLocation)) {
      command.addAll(List.of("--patch-module", module.getName() + "=" + classes));
    }
    command.addAll(List.of("-m", module.getName() + "/" + mainClass.getName()));
    return command;
  }

  /** What runs dev.wharf.cli from this JVM's module path, but the main class. */
  private static List<String> moduleOptions() {
    return List.of(
        "--enable-native-access=dev.wharf.websocket,dev.wharf.inspect,dev.wharf.packets,dev.wharf.dns,"
            + "dev.wharf.cli",
        "-p",
        System.getProperty("jdk.module.path"));
  }

  /**
   * The options that start a wharf child from an AOT cache, as {@code ./wharf} starts (JEP 483):
   * without one, each child resolves the module graph and loads the jars' classes anew, which on
   * the module path costs about twice the CPU of a class-path start, and tests that start dozens of
   * children on a loaded machine ran into their deadlines. Made once per test JVM by a training run
   * of {@code --version}, into a temporary directory removed when the JVM exits. None where the
   * module path holds a directory (surefire's target/classes: the cache takes jars only) or the
   * training fails: the children then start without.
   */
  private static final class StartupCache {
    static final List<String> OPTIONS = make();

    private static List<String> make() {
      String modulePath = System.getProperty("jdk.module.path");
      boolean jarsOnly =
          Stream.of(modulePath.split(File.pathSeparator))
              .allMatch(entry -> entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry)));
      if (!jarsOnly) {
        return List.of();
      }
      try {
        Path dir = Files.createTempDirectory("wharf-child-aot");
        dir.toFile().deleteOnExit();
        Path cache = dir.resolve("wharf.aot");
        var command =
            new ArrayList<>(
                List.of(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "-XX:AOTCacheOutput=" + cache,
                    "-Xlog:disable"));
        command.addAll(moduleOptions());
        command.addAll(List.of("-m", "dev.wharf.cli/" + Main.class.getName(), "--version"));
        Process training =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!training.waitFor(120, TimeUnit.SECONDS)) {
          training.destroyForcibly();
          training.waitFor(5, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(dir.resolve("wharf.aot.config"));
        if (training.isAlive() || training.exitValue() != 0 || !Files.isRegularFile(cache)) {
          Files.deleteIfExists(cache);
          Files.deleteIfExists(dir);
          return List.of();
        }
        cache.toFile().deleteOnExit(); // Registered after its directory: deleted before it.
        // A cache the JVM refuses (the jars rebuilt meanwhile) only costs speed: no message.
        return List.of("-XX:AOTCache=" + cache, "-Xlog:aot*=off,cds*=off");
      } catch (IOException e) {
        return List.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
  }

  /** The directory or jar that {@code type}'s class file was loaded from. */
  private static Path classesOf(Class<?> type) {
    String file = type.getName().replace('.', '/') + ".class";
    String url = type.getResource("/" + file).toString();
    if (url.startsWith("jar:file:")) {
      return Path.of(URI.create(url.substring("jar:".length(), url.indexOf("!/"))));
    }
    return Path.of(URI.create(url.substring(0, url.length() - file.length())));
  }

  /** Starts any program, such as socat. */
  public static Child start(Path stdin, Path stdout, String... command) throws IOException {
    return start(command[0], new ProcessBuilder(command), stdin, stdout);
  }

  /** Starts any program with these environment variables too (a secret kept off its arguments). */
  public static Child start(
      Map<String, String> environment, Path stdin, Path stdout, String... command)
      throws IOException {
    var builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    return start(command[0], builder, stdin, stdout);
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
