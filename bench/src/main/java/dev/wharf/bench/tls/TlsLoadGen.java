package dev.wharf.bench.tls;

import dev.wharf.bench.load.Churn;
import dev.wharf.bench.load.EchoConnection;
import dev.wharf.bench.load.LoadLoop;
import dev.wharf.bench.load.LoadOptions;
import dev.wharf.load.wire.PatternStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS load generator: the {@link dev.wharf.bench.load} core with TLS as its framing ({@link
 * TlsClientChannel}, the JDK's {@link javax.net.ssl.SSLEngine}), trusting only the benchmark's
 * certificate. One protocol version and one cipher suite are offered ({@code --protocol TLSv1.3},
 * {@code --suite TLS_AES_128_GCM_SHA256}), so every server negotiates the same; RESULT lines say
 * what was negotiated.
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
  /** The pattern's source: a record's worth, and more. */
  private static final int SOURCE = 64 * 1024;

  private static final double PRIME_SECONDS = 60;

  /**
   * Its options beyond the common ones: {@code --cert PEM}, {@code --protocol}, {@code --suite}.
   */
  private static final class TlsOptions implements LoadOptions.Extras {
    Path cert;
    String protocol = "TLSv1.3";
    String suite = "TLS_AES_128_GCM_SHA256";

    @Override
    public boolean option(String name, String value) {
      switch (name) {
        case "--cert" -> cert = Path.of(value);
        case "--protocol" -> protocol = value;
        case "--suite" -> suite = value;
        default -> {
          return false;
        }
      }
      return true;
    }
  }

  private final LoadOptions options;
  private final TlsOptions tls;
  private final SSLContext context;
  private final InetSocketAddress address;
  private final ByteBuffer source = PatternStream.source(SOURCE);

  /** The protocols and suites the servers chose, as {@code protocol/suite}. */
  private final TreeSet<String> negotiated = new TreeSet<>();

  private TlsLoadGen(LoadOptions options, TlsOptions tls) throws Exception {
    this.options = options;
    this.tls = tls;
    this.context = trusting(tls.cert, tls.protocol);
    this.address = options.address();
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, LoadLoop::print) == 0 ? 0 : 1);
  }

  /** Runs the generator with these arguments, printing to {@code out}; returns the errors seen. */
  public static long run(String[] args, Consumer<String> out) throws Exception {
    var tls = new TlsOptions();
    var options = LoadOptions.defaults("handshake", 7500, 16, 16 * 1024, 4).parse(args, tls);
    if (tls.cert == null) {
      throw new IllegalArgumentException("--cert PEM (the server's certificate) is required");
    }
    var gen = new TlsLoadGen(options, tls);
    return switch (options.mode()) {
      case "handshake" -> gen.handshakes(out);
      case "bulk" -> gen.bulk(out);
      default -> throw new IllegalArgumentException("unknown mode " + options.mode());
    };
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

  private TlsClientChannel open(LoadLoop loop, TlsClientChannel.Listener listener)
      throws IOException {
    return TlsClientChannel.open(
        loop, address, context, tls.protocol, tls.suite, listener, new PatternStream(source));
  }

  private void noteNegotiated(TlsClientChannel c) {
    negotiated.add(
        c.engine.getSession().getProtocol() + "/" + c.engine.getSession().getCipherSuite());
  }

  private String negotiated() {
    return " negotiated=" + String.join(",", negotiated);
  }

  /**
   * One handshake and 1-byte echo, untimed, before the clock starts. The first handshake of a JVM
   * loads and initialises the JDK's TLS and elliptic-curve code on both sides: over a second on a
   * busy machine, so a short warmup and window (a test's, {@code --quick}'s) saw no handshake at
   * all ({@code handshakes=0}).
   */
  private void prime(LoadLoop loop) throws IOException {
    var closed = new boolean[1];
    open(
        loop,
        new TlsClientChannel.Listener() {
          @Override
          public void handshaken(TlsClientChannel c) {
            c.send(1);
          }

          @Override
          public void received(TlsClientChannel c, ByteBuffer data) {
            c.close();
          }

          @Override
          public void closed(TlsClientChannel c) {
            closed[0] = true; // echoed, or failed and counted as an error
          }
        });
    loop.runUntil(() -> closed[0], PRIME_SECONDS);
  }

  // ---- handshake ----

  /** Each handshake mode connection: 1 byte once handshaken, done and closed when it is back. */
  private final class HandshakeOnce implements TlsClientChannel.Listener {
    private final LoadLoop loop;
    private final Churn churn;

    HandshakeOnce(LoadLoop loop, Churn churn) {
      this.loop = loop;
      this.churn = churn;
    }

    @Override
    public void handshaken(TlsClientChannel c) {
      c.send(1);
    }

    @Override
    public void received(TlsClientChannel c, ByteBuffer data) throws IOException {
      if (data.remaining() != 1) {
        throw new IOException("wrong echo of the byte sent: " + data.remaining() + " bytes");
      }
      c.pattern.received(data);
      noteNegotiated(c);
      loop.completed(c.began(), System.nanoTime());
      c.close();
    }

    @Override
    public void closed(TlsClientChannel c) {
      churn.ended();
    }
  }

  private long handshakes(Consumer<String> out) throws IOException {
    try (var loop = new LoadLoop(options, out)) {
      prime(loop);
      var churn = new Churn(options.concurrency(), (l, ch) -> open(l, new HandshakeOnce(l, ch)));
      String params = "concurrency=" + options.concurrency();
      return loop.run(
          System.nanoTime(),
          "mode=handshake " + params,
          churn,
          w -> w.result("tls-handshake", params, "handshakes", "") + negotiated());
    }
  }

  // ---- bulk ----

  /** A bulk mode connection: its messages are the next {@code size} bytes of its pattern. */
  private final class BulkEcho extends EchoConnection implements TlsClientChannel.Listener {
    private TlsClientChannel channel;

    BulkEcho(LoadLoop loop) {
      super(loop, options.window());
    }

    @Override
    public void handshaken(TlsClientChannel c) {
      channel = c;
      noteNegotiated(c);
      fill(System.nanoTime());
    }

    @Override
    protected void send() {
      channel.send(options.size());
    }

    @Override
    public void received(TlsClientChannel c, ByteBuffer data) throws IOException {
      receivedInAll(c.pattern.received(data), options.size());
    }
  }

  private long bulk(Consumer<String> out) throws IOException {
    try (var loop = new LoadLoop(options, out)) {
      prime(loop);
      for (int i = 0; i < options.conns(); i++) {
        open(loop, new BulkEcho(loop));
      }
      String params = options.echoLoad();
      return loop.run(
          System.nanoTime(),
          "mode=bulk " + params,
          l -> {},
          w ->
              w.result("tls-bulk", params, "msgs", w.mbPerSec(w.count() * (double) options.size()))
                  + negotiated());
    }
  }
}
