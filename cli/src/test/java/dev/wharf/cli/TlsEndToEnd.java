package dev.wharf.cli;

import dev.wharf.testkit.Await;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TLS end-to-end tests share: certificates made by openssl (a CA; signed by it a server
 * certificate for localhost and 127.0.0.1, one for other.test, an expired one, a client
 * certificate; a self-signed one), openssl itself as the peer, and stdin fed from a file.
 */
abstract class TlsEndToEnd extends EndToEnd {
  @TempDir static Path certDir;
  static TestCertificates certs;

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(certDir);
  }

  /** Starts {@code openssl args} with stdin and stdout as given (a pipe when null). */
  Child openssl(Path stdin, Path stdout, String... args) throws IOException {
    var command = new ArrayList<String>();
    command.add("openssl");
    command.addAll(List.of(args));
    return peer(stdin, stdout, command.toArray(String[]::new));
  }

  /**
   * Starts {@code openssl s_server -quiet} on a free port of 127.0.0.1 with a certificate and key;
   * received bytes go to {@code stdout}, stdin to the client. Returns the child; its port is {@link
   * #listeningPort(Child)}.
   */
  Child sServer(Path stdout, Path cert, Path key, String... extra) throws IOException {
    var args =
        new ArrayList<>(
            List.of(
                "s_server",
                "-quiet",
                "-accept",
                "127.0.0.1:0",
                "-naccept",
                "1",
                "-cert",
                cert.toString(),
                "-key",
                key.toString()));
    args.addAll(List.of(extra));
    return openssl(null, stdout, args.toArray(String[]::new));
  }

  /**
   * The TCP port a child listens on, asked of the kernel with {@code ss} (s_server -quiet prints
   * none): polled until the socket appears, for up to 10 seconds.
   */
  static int listeningPort(Child child) throws IOException, InterruptedException {
    Pattern socket =
        Pattern.compile(
            "127\\.0\\.0\\.1:(\\d+)\\s.*pid=" + child.process().pid() + ",", Pattern.MULTILINE);
    var port = new AtomicInteger();
    Await.within( // The kernel has nothing to wait on; poll.
        Duration.ofSeconds(10),
        Duration.ofMillis(20),
        () -> {
          Matcher matcher =
              socket.matcher(
                  ExternalProcess.command("ss", "-Hltnp").run(Duration.ofSeconds(10)).out());
          if (matcher.find()) {
            port.set(Integer.parseInt(matcher.group(1)));
          }
          return port.get() != 0 || !child.process().isAlive();
        });
    if (port.get() == 0) {
      throw new AssertionError("no listening socket of pid " + child.process().pid());
    }
    return port.get();
  }

  /**
   * Writes a file to a child's stdin on a virtual thread (a pipe takes 64 KiB and then waits for
   * the child to read), leaving stdin open; the future completes when all is written.
   */
  static CompletableFuture<Void> feed(Child child, Path file) {
    var done = new CompletableFuture<Void>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                OutputStream in = child.process().getOutputStream();
                in.write(Files.readAllBytes(file));
                in.flush();
                done.complete(null);
              } catch (IOException e) {
                done.completeExceptionally(e);
              }
            });
    return done;
  }

  /** Ends a child's stdin. */
  static void closeStdin(Child child) throws IOException {
    child.process().getOutputStream().close();
  }

  /** What an openssl command prints, checked for success. */
  static String run(String... command) throws IOException, InterruptedException {
    var process = ExternalProcess.command(command).mergeErrors().run(Duration.ofSeconds(30));
    if (process.exit() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: " + process.out());
    }
    return process.out();
  }
}
