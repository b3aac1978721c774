import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.server.HttpServer;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * HttpServerPathBenchmark's work (wrk's request to one HttpServer route over an EmbeddedConnection,
 * no sockets), timed by the thread's CPU clock rather than the wall clock, so that other work on a
 * shared machine moves it less. Prints the best ns per request of 8 half-second rounds after 4 of
 * warm-up. A single-file program, run against bench's classpath (build bench first):
 *
 * <pre>
 *   taskset -c 0 java -Xms256m -Xmx256m -XX:+UseG1GC -cp 'bench/target/lib/*' \
 *     bench/plaintext/CpuPerRequest.java 16    # requests per read: 16 pipelined, or 1
 * </pre>
 */
public class CpuPerRequest {
  public static void main(String[] args) {
    String wrk = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
    byte[] hello = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    int depth = Integer.parseInt(args[0]);
    ByteBuffer batch = ByteBuffer.wrap(wrk.repeat(depth).getBytes(StandardCharsets.ISO_8859_1));
    var group = new EventLoopGroup(1, "unused", true);
    var server =
        HttpServer.builder(group)
            .route("GET", "/plaintext", (req, r) -> r.send(200, "text/plain", hello));
    var c = EmbeddedConnection.of(new FakeClock(), server.protocol());
    var bean = ManagementFactory.getThreadMXBean();
    long sink = 0;
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 12; round++) {
      long t0 = bean.getCurrentThreadCpuTime();
      int n = 0;
      while (bean.getCurrentThreadCpuTime() - t0 < 500_000_000L) {
        for (int i = 0; i < 2000; i++) {
          c.writeInbound(batch.rewind());
          sink += c.readOutbound().length;
        }
        n += 2000 * depth;
      }
      double ns = (bean.getCurrentThreadCpuTime() - t0) / (double) n;
      if (round >= 4) best = Math.min(best, ns); // Rounds 0-3 warm up.
    }
    System.out.printf("depth=%d cpu_ns_per_req_min=%.1f (%d)%n", depth, best, sink % 7);
    group.close();
  }
}
