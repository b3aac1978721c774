package dev.wharf.bench.fanout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory a server process holds: its RSS from /proc, and its live heap after a full collection,
 * asked of a JVM with {@code jcmd} or of Node through the bench server's {@code /mem} (which runs
 * {@code global.gc()} first). Called from the benchmark's main thread.
 */
final class ServerMemory {
  /** Resident and live heap bytes; heap -1 when unknown. */
  record Sample(long rssBytes, long heapBytes) {}

  /** The last line of a class histogram: {@code Total INSTANCES BYTES}. */
  private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("Total\\s+\\d+\\s+(\\d+)");

  private static final Pattern NODE_HEAP = Pattern.compile("\"heapUsed\":(\\d+)");

  private final long pid;
  private final String heapSource; // "jcmd:/path/to/jcmd", "url:http://...", or ""

  ServerMemory(long pid, String heapSource) {
    this.pid = pid;
    this.heapSource = heapSource;
  }

  Sample sample() throws IOException, InterruptedException {
    long heap = heap(); // first: the collection may give pages back
    return new Sample(rss(), heap);
  }

  long rss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  private long heap() throws IOException, InterruptedException {
    if (heapSource.startsWith("jcmd:")) {
      String jcmd = heapSource.substring("jcmd:".length());
      // A histogram of live objects (after a full collection, whatever the collector): their bytes.
      Matcher m = HISTOGRAM_TOTAL.matcher(run(jcmd, Long.toString(pid), "GC.class_histogram"));
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
    if (heapSource.startsWith("url:")) {
      // HTTP/1.1: Node hands a request that offers an h2c upgrade to Socket.IO, which drops it.
      try (var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
        var request =
            HttpRequest.newBuilder(URI.create(heapSource.substring("url:".length())))
                .timeout(Duration.ofSeconds(30))
                .build();
        String body = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = NODE_HEAP.matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
      }
    }
    return -1;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish");
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
