package dev.wharf.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.EndToEnd;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code wharf serve --upload} under stalled uploads, scaled down from {@code bench/flood slow}
 * (12,000 PUTs of 64 KiB at once, then a byte every 3 s, on a 256 MiB heap and 20,000 descriptors):
 * here {@value #UPLOADS} on a {@value #HEAP_MIB} MiB heap and {@value #OPEN_FILES} descriptors, so
 * that a server holding a 64 KiB buffer or an open temporary file per stalled upload runs out of
 * both. Each upload must get its 408 (never a 500) and curl must be answered while they stall and
 * after.
 */
class ServeStalledUploadsIT extends EndToEnd {
  private static final int OPEN_FILES = 600; // the default --max-connections is then about 340
  private static final int HEAP_MIB = 32;
  private static final int UPLOADS = 300; // under the cap: none is closed to make room
  private static final int BURST = 64 * 1024;

  @Test
  void stalledUploadsAreAnswered408AndCurlIsServedMeanwhileAndAfter() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.writeString(root.resolve("a.txt"), "hello\n");
    Path out = dir.resolve("serve.out");
    wharfWithOpenFiles(
        OPEN_FILES,
        Map.of("JAVA_TOOL_OPTIONS", "-Xmx" + HEAP_MIB + "m"),
        out,
        serveOnLoopbackArgs(
            root,
            "--quiet",
            "--upload",
            // A 2 s window at the default 1 KiB/s: 64 KiB at once buys one window, a byte a
            // second is too slow.
            "--header-timeout",
            "2",
            // Room for all the bursts (300 x 64 KiB): past it new bodies get 503, not a 408.
            "--max-buffered",
            "24M"));
    int port = servedPort(out, "http");

    var statuses = new ConcurrentHashMap<String, AtomicInteger>();
    var burstsSent = new CountDownLatch(UPLOADS);
    var answered = new CountDownLatch(UPLOADS);
    List<Thread> uploads = new ArrayList<>();
    for (int i = 0; i < UPLOADS; i++) {
      String name = "/stalled-" + i + ".bin";
      uploads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    String status = stall(port, name, burstsSent);
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    answered.countDown();
                  }));
    }
    assertThat(burstsSent.await(30, TimeUnit.SECONDS)).as("every burst sent").isTrue();
    assertThat(curl(port)).as("curl while the uploads stall").isEqualTo("hello\n");

    assertThat(answered.await(40, TimeUnit.SECONDS))
        .as("every upload answered or closed; statuses so far: %s", new TreeMap<>(statuses))
        .isTrue();
    for (Thread upload : uploads) {
      upload.join();
    }
    assertThat(new TreeMap<>(statuses)).containsOnlyKeys("408");
    assertThat(curl(port)).as("curl after").isEqualTo("hello\n");
  }

  /**
   * PUTs {@value #BURST} bytes of a declared 1 MiB at once, then a byte a second until an answer
   * comes; returns its status, "none" if the connection closed without one or none came in 30 s.
   */
  private static String stall(int port, String name, CountDownLatch burstSent) {
    boolean sent = false;
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(1000);
      OutputStream toServer = socket.getOutputStream();
      String head =
          "PUT " + name + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\n\r\n";
      toServer.write(head.getBytes(StandardCharsets.US_ASCII));
      toServer.write(new byte[BURST]);
      sent = true;
      burstSent.countDown();
      InputStream fromServer = socket.getInputStream();
      byte[] statusLine = new byte[12]; // "HTTP/1.1 408"
      int got = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got < statusLine.length && System.nanoTime() < deadline) {
        try {
          int n = fromServer.read(statusLine, got, statusLine.length - got);
          if (n < 0) {
            return "none";
          }
          got += n;
        } catch (SocketTimeoutException quiet) {
          try {
            toServer.write('a');
          } catch (IOException closed) {
            // Closed by the server: what it said before, if anything, is still to be read.
          }
        }
      }
      return got == statusLine.length
          ? new String(statusLine, 9, 3, StandardCharsets.US_ASCII)
          : "none";
    } catch (IOException e) {
      if (!sent) {
        burstSent.countDown();
      }
      return "failed: " + e.getMessage();
    }
  }

  private String curl(int port) throws Exception {
    return curlLoopback(port, "/a.txt", 10);
  }
}
