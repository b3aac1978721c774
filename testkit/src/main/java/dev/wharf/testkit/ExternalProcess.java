package dev.wharf.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A peer program (openssl, curl, nc, python3, ...) run for a test. {@link #start} keeps it running:
 * its output collected as it comes, waited on with deadlines, and ended (with its children's pipes)
 * by {@link #close()}. {@link #run} runs one to its end and returns its exit code and output.
 */
public final class ExternalProcess implements AutoCloseable {
  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final Thread reader;

  private ExternalProcess(Process process) {
    this.process = process;
    this.reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  byte[] buffer = new byte[8192];
                  try (InputStream in = process.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                      output.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
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

  /**
   * Runs {@code command} to its end with no input, within {@code timeout} (else it fails, the
   * process killed); standard error is read alongside so neither pipe can fill and stall it.
   */
  public static Result run(Duration timeout, List<String> command) throws IOException {
    return run(timeout, null, command);
  }

  public static Result run(Duration timeout, String... command) throws IOException {
    return run(timeout, null, List.of(command));
  }

  /** As {@link #run(Duration, List)}, in the directory {@code dir} (null: this one). */
  public static Result run(Duration timeout, Path dir, List<String> command) throws IOException {
    var builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    Process process = builder.start();
    try {
      var err = new CompletableFuture<byte[]>();
      Thread.ofVirtual()
          .start(
              () -> {
                try (InputStream in = process.getErrorStream()) {
                  err.complete(in.readAllBytes());
                } catch (IOException e) {
                  err.complete(new byte[0]);
                }
              });
      var out = new CompletableFuture<byte[]>();
      Thread.ofVirtual()
          .start(
              () -> {
                try (InputStream in = process.getInputStream()) {
                  out.complete(in.readAllBytes());
                } catch (IOException e) {
                  out.complete(new byte[0]);
                }
              });
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

  private static final File NO_INPUT = new File("/dev/null");

  /** Starts {@code command}, standard error merged into the output. */
  public static ExternalProcess start(List<String> command) throws IOException {
    return new ExternalProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** Starts {@code command} in {@code dir}, standard error merged into the output. */
  public static ExternalProcess start(Path dir, List<String> command) throws IOException {
    return new ExternalProcess(
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start());
  }

  public String output() {
    return output.toString();
  }

  /** Waits until the output satisfies {@code condition}; fails with the output if it never does. */
  public String awaitOutput(String what, Duration timeout, Predicate<String> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String now = output();
      if (condition.test(now)) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; output so far:\n" + now);
      }
      if (!process.isAlive() && !reader.isAlive()) {
        throw new AssertionError(
            "the process ended (exit " + process.exitValue() + ") before " + what + ":\n" + now);
      }
      LockSupport.parkNanos(5_000_000); // The polling interval of a bounded wait.
    }
  }

  public String awaitOutputContaining(String text, Duration timeout) {
    return awaitOutput("\"" + text + "\"", timeout, out -> out.contains(text));
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
    return process.exitValue();
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
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
