package dev.wharf.bench.tls;

import dev.wharf.bench.TimedWindows;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS load generator: one platform thread, one selector, the JDK's {@link
 * javax.net.ssl.SSLEngine} ({@link TlsClientChannel}), trusting only the benchmark's certificate.
 * One protocol version and one cipher suite are offered ({@code --protocol TLSv1.3}, {@code --suite
 * TLS_AES_128_GCM_SHA256}), so every server negotiates the same; RESULT lines say what was
 * negotiated.
 *
 * <ul>
 *   <li>{@code handshake}: {@code --concurrency C} connections at a time each connect, run a full
 *       handshake (no session resumption: the engines know no peer, so no session is looked up),
 *       send 1 byte, read it back and close with RST, as fast as they can. Counts handshakes.
 *   <li>{@code bulk}: {@code --conns N} connections each keep {@code --window K} messages of {@code
 *       --size S} bytes in flight through the echo, as {@link dev.wharf.bench.LoadGen}'s echo does
 *       in the clear; the bytes that come back are checked against the pattern sent.
 * </ul>
 *
 * <p>Both run {@code --warmup} seconds, then {@code --repeats} windows of {@code --duration}
 * seconds, printing {@code MEASURE_START r} and {@code RESULT key=value ...} lines.
 */
public final class TlsLoadGen {
  private static final int PATTERN = 251;

  private String mode = "handshake";
  private String host = "127.0.0.1";
  private int port = 7500;
  private Path cert;
  private String protocol = "TLSv1.3";
  private String suite = "TLS_AES_128_GCM_SHA256";
  private int concurrency = 32;
  private int conns = 16;
  private int size = 16 * 1024;
  private int window = 4;
  private double warmup = 15;
  private double duration = 20;
  private int repeats = 3;
  private final Consumer<String> out;

  private TimedWindows windows;
  private final TreeSet<String> negotiated = new TreeSet<>();
  private long done;
  private long errors;

  private TlsLoadGen(Consumer<String> out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    long errors =
        run(
            args,
            line -> {
              System.out.println(line);
              System.out.flush();
            });
    System.exit(errors == 0 ? 0 : 1);
  }

  /** Runs the generator with these arguments, printing to {@code out}; returns the errors seen. */
  public static long run(String[] args, Consumer<String> out) throws Exception {
    var gen = new TlsLoadGen(out);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        gen.mode = a;
        continue;
      }
      String v = args[++i];
      switch (a) {
        case "--host" -> gen.host = v;
        case "--port" -> gen.port = Integer.parseInt(v);
        case "--cert" -> gen.cert = Path.of(v);
        case "--protocol" -> gen.protocol = v;
        case "--suite" -> gen.suite = v;
        case "--concurrency" -> gen.concurrency = Integer.parseInt(v);
        case "--conns" -> gen.conns = Integer.parseInt(v);
        case "--size" -> gen.size = Integer.parseInt(v);
        case "--window" -> gen.window = Integer.parseInt(v);
        case "--warmup" -> gen.warmup = Double.parseDouble(v);
        case "--duration" -> gen.duration = Double.parseDouble(v);
        case "--repeats" -> gen.repeats = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (gen.cert == null) {
      throw new IllegalArgumentException("--cert PEM (the server's certificate) is required");
    }
    if (!gen.mode.equals("handshake") && !gen.mode.equals("bulk")) {
      throw new IllegalArgumentException("unknown mode " + gen.mode);
    }
    return gen.drive();
  }

  /** A client context that trusts only {@code cert}. */
  static SSLContext trusting(Path cert, String protocol)
      throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance(protocol);
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private void record(long since) {
    windows.record(since, System.nanoTime());
  }

  // ---- the two modes ----

  /** Handshake mode: send one byte once handshaken, close when it is back. */
  private final TlsClientChannel.Listener handshakeOnce =
      new TlsClientChannel.Listener() {
        @Override
        public void handshaken(TlsClientChannel c) {
          c.send(1);
        }

        @Override
        public void received(TlsClientChannel c, ByteBuffer data) throws IOException {
          if (data.remaining() != 1 || data.get(data.position()) != 0) {
            throw new IOException("wrong echo of the byte sent");
          }
          negotiated.add(c.engine.getSession().getProtocol() + "/" + suiteOf(c));
          record(c.started);
          done++;
          c.close();
        }
      };

  private static String suiteOf(TlsClientChannel c) {
    return c.engine.getSession().getCipherSuite();
  }

  /** Bulk mode: a connection's progress through the pattern it echoes. */
  private static final class Bulk {
    long received;
    long completed;
    final long[] issued;
    int head;
    int inFlight;

    Bulk(int window) {
      this.issued = new long[window];
    }
  }

  private final TlsClientChannel.Listener bulkEcho =
      new TlsClientChannel.Listener() {
        @Override
        public void handshaken(TlsClientChannel c) {
          negotiated.add(c.engine.getSession().getProtocol() + "/" + suiteOf(c));
          long now = System.nanoTime();
          for (int k = 0; k < window; k++) {
            issue(c, (Bulk) c.state, now);
          }
        }

        @Override
        public void received(TlsClientChannel c, ByteBuffer data) throws IOException {
          var b = (Bulk) c.state;
          int n = data.remaining();
          if (data.get(data.position()) != (byte) (b.received % PATTERN)
              || data.get(data.limit() - 1) != (byte) ((b.received + n - 1) % PATTERN)) {
            throw new IOException("echoed bytes differ at offset " + b.received);
          }
          b.received += n;
          long whole = b.received / size;
          if (whole > b.completed) {
            long now = System.nanoTime();
            while (b.completed < whole) {
              record(b.issued[b.head]);
              b.head = (b.head + 1) % window;
              b.inFlight--;
              b.completed++;
              done++;
              issue(c, b, now);
            }
          }
        }
      };

  private void issue(TlsClientChannel c, Bulk b, long now) {
    b.issued[(b.head + b.inFlight) % window] = now;
    b.inFlight++;
    c.send(size);
  }

  private long drive() throws Exception {
    boolean handshakes = mode.equals("handshake");
    SSLContext context = trusting(cert, protocol);
    var address = new InetSocketAddress(host, port);
    int patternLength = 64 * 1024 + PATTERN;
    ByteBuffer pattern = ByteBuffer.allocateDirect(patternLength);
    for (int i = 0; i < patternLength; i++) {
      pattern.put(i, (byte) (i % PATTERN));
    }
    TlsClientChannel.Listener listener = handshakes ? handshakeOnce : bulkEcho;
    List<TlsClientChannel> bulk = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      int open = 0;
      if (!handshakes) {
        for (int i = 0; i < conns; i++) {
          var c =
              TlsClientChannel.open(
                  selector, address, context, protocol, suite, listener, pattern, PATTERN);
          c.state = new Bulk(window);
          bulk.add(c);
        }
      }
      windows = new TimedWindows(warmup, duration, repeats, out);
      windows.start(
          System.nanoTime(),
          "mode="
              + mode
              + " "
              + (handshakes
                  ? "concurrency=" + concurrency
                  : "conns=" + conns + " size=" + size + " window=" + window));
      while (true) {
        if (handshakes) {
          // Keep C handshakes going: every closed or failed one is replaced.
          open = selector.keys().size();
          for (; open < concurrency; open++) {
            try {
              TlsClientChannel.open(
                  selector, address, context, protocol, suite, listener, pattern, PATTERN);
            } catch (IOException e) {
              errors++;
              out.accept("WARN connect failed: " + e);
              break;
            }
          }
        }
        long now = System.nanoTime();
        if (windows.due(now)) {
          if (windows.measuring()) {
            result(windows.rep(), windows.seconds(now));
          }
          if (!windows.next(now)) {
            break;
          }
          done = 0;
        }
        selector.select(50);
        var ready = selector.selectedKeys();
        for (SelectionKey key : ready) {
          var c = (TlsClientChannel) key.attachment();
          if (!key.isValid()) {
            continue;
          }
          try {
            c.ready();
          } catch (IOException | RuntimeException e) {
            errors++;
            out.accept("WARN connection failed: " + e);
            c.close();
          }
        }
        ready.clear();
        // Cancelled keys leave the key set on the next select; flush them before counting.
        selector.selectNow();
      }
      for (SelectionKey key : selector.keys()) {
        ((TlsClientChannel) key.attachment()).close();
      }
    }
    out.accept("DONE errors=" + errors);
    return errors;
  }

  private void result(int rep, double secs) {
    String tls = String.join(",", negotiated);
    if (mode.equals("handshake")) {
      out.accept(
          String.format(
              Locale.ROOT,
              "RESULT mode=tls-handshake rep=%d concurrency=%d secs=%.3f handshakes=%d"
                  + " handshakesPerSec=%.1f %s errors=%d negotiated=%s",
              rep,
              concurrency,
              secs,
              done,
              done / secs,
              windows.latency(),
              errors,
              tls));
    } else {
      out.accept(
          String.format(
              Locale.ROOT,
              "RESULT mode=tls-bulk rep=%d conns=%d size=%d window=%d secs=%.3f msgs=%d"
                  + " msgsPerSec=%.1f mbPerSec=%.2f %s errors=%d negotiated=%s",
              rep,
              conns,
              size,
              window,
              secs,
              done,
              done / secs,
              done * (double) size / secs / 1e6,
              windows.latency(),
              errors,
              tls));
    }
  }
}
