package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Server;
import dev.wharf.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The peer's FIN against stdin from a pipe, in a fixed order: the FIN is handled while the stdin
 * thread is still in its read, which the test lets return only afterwards. That is the race that
 * lost {@code listen}'s reply in about one run of 48 against {@code printf client | nc -N}.
 */
@Timeout(30)
class StreamPipeIT {
  private final EventLoopGroup group = new EventLoopGroup(1, "pipe-test", true);
  private final StringWriter storyText = new StringWriter();
  private final PrintWriter storyOut = new PrintWriter(storyText);

  @AfterEach
  void shutDown() {
    group.shutdownGracefully(Duration.ofSeconds(1)).join();
  }

  @Test
  void whatAPipeHeldWhenThePeersFinCameIsStillSent() throws Exception {
    var stdin = new GatedPipe("server");
    var pipe = listen(stdin);
    try (Server server = bind(pipe);
        var client = connect(server)) {
      client.getOutputStream().write("client".getBytes(StandardCharsets.US_ASCII));
      client.shutdownOutput(); // nc -N: FIN at the end of its stdin

      awaitStory("the peer finished sending|closed");
      stdin.open.countDown(); // only now does the stdin thread's read return "server"

      assertThat(readAll(client)).isEqualTo("server");
      assertThat(pipe.finished().get(10, TimeUnit.SECONDS).isFailure()).isFalse();
    }
  }

  @Test
  void aPipeThatHeldNothingEndsTheSessionSoonAfterTheFin() throws Exception {
    var stdin = new GatedPipe(""); // a terminal nobody types at: the read never returns
    var pipe = listen(stdin);
    try (Server server = bind(pipe);
        var client = connect(server)) {
      client.shutdownOutput();

      assertThat(readAll(client)).isEmpty();
      assertThat(pipe.finished().get(10, TimeUnit.SECONDS).isFailure()).isFalse();
    } finally {
      stdin.open.countDown();
    }
  }

  private StreamPipe listen(GatedPipe stdin) {
    var story = new Story(storyOut, "listen", true);
    var pipe =
        new StreamPipe(
            new StdoutSink(new ByteArrayOutputStream()),
            story,
            false,
            false,
            () -> {},
            () -> Stdin.waiting(stdin));
    new StdinPump(stdin, ListenCommand.STREAM_CHUNK, pipe).start();
    return pipe;
  }

  private Server bind(StreamPipe pipe) throws IOException {
    return Server.builder(group)
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), pipe::newProtocol);
  }

  private static Socket connect(Server server) throws IOException {
    var socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String readAll(Socket socket) throws IOException {
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
  }

  private void awaitStory(String regex) {
    Pattern pattern = Pattern.compile(regex);
    boolean told = // a StringWriter has nothing to wait on: poll
        Await.within(
            Duration.ofSeconds(10),
            () -> {
              synchronized (storyOut) {
                return pattern.matcher(storyText.toString()).find();
              }
            });
    if (!told) {
      throw new AssertionError("no story line matching " + regex + ": " + storyText);
    }
  }

  /**
   * A pipe that already holds {@code text}, as {@code available()} says, but whose read returns it
   * only once {@link #open} is counted down; after that it never ends, as a pipe from {@code tail
   * -f}.
   */
  private static final class GatedPipe extends InputStream {
    final CountDownLatch open = new CountDownLatch(1);
    private final byte[] held;
    private volatile boolean taken;

    GatedPipe(String text) {
      this.held = text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public int available() {
      return taken ? 0 : held.length;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      try {
        open.await(20, TimeUnit.SECONDS);
        if (taken || held.length == 0) {
          new CountDownLatch(1).await(20, TimeUnit.SECONDS); // never ends, within the test
          return -1;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      taken = true;
      System.arraycopy(held, 0, buffer, offset, held.length);
      return held.length;
    }
  }
}
