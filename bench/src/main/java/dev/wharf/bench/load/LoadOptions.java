package dev.wharf.bench.load;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The options every load generator takes: the mode (the one argument without {@code --}), {@code
 * --host}, {@code --port}, {@code --conns N}, {@code --size S}, {@code --window K} (messages in
 * flight per connection), {@code --concurrency C} (short connections at a time), {@code --warmup},
 * {@code --duration} and {@code --repeats} (seconds, seconds, windows) and {@code --hold} (seconds
 * an idle generator holds its connections at most). A generator's own options go to its {@link
 * Extras}. Immutable.
 */
public record LoadOptions(
    String mode,
    String host,
    int port,
    int conns,
    int size,
    int window,
    int concurrency,
    double warmup,
    double duration,
    int repeats,
    double hold) {

  /** The options of one generator alone; any thread, during {@link #parse}. */
  public interface Extras {
    /** Takes {@code name} if it is a flag of this generator (an option without a value). */
    default boolean flag(String name) {
      return false;
    }

    /** Takes {@code name value} if {@code name} is an option of this generator. */
    default boolean option(String name, String value) {
      return false;
    }
  }

  /** A generator's defaults; host 127.0.0.1, concurrency 32, warmup 15, 3 x 20 s, hold 600 s. */
  public static LoadOptions defaults(String mode, int port, int conns, int size, int window) {
    return new LoadOptions(mode, "127.0.0.1", port, conns, size, window, 32, 15, 20, 3, 600);
  }

  /** These defaults overridden by {@code args}; throws on an option nobody knows. */
  public LoadOptions parse(String[] args, Extras extras) {
    String mode = this.mode;
    String host = this.host;
    int port = this.port;
    int conns = this.conns;
    int size = this.size;
    int window = this.window;
    int concurrency = this.concurrency;
    double warmup = this.warmup;
    double duration = this.duration;
    int repeats = this.repeats;
    double hold = this.hold;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        mode = a;
        continue;
      }
      if (extras.flag(a)) {
        continue;
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--host" -> host = v;
        case "--port" -> port = Integer.parseInt(v);
        case "--conns" -> conns = Integer.parseInt(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--window" -> window = Integer.parseInt(v);
        case "--concurrency" -> concurrency = Integer.parseInt(v);
        case "--warmup" -> warmup = Double.parseDouble(v);
        case "--duration" -> duration = Double.parseDouble(v);
        case "--repeats" -> repeats = Integer.parseInt(v);
        case "--hold" -> hold = Double.parseDouble(v);
        default -> {
          if (!extras.option(a, v)) {
            throw new IllegalArgumentException("unknown option " + a);
          }
        }
      }
    }
    return new LoadOptions(
        mode, host, port, conns, size, window, concurrency, warmup, duration, repeats, hold);
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }

  /** The warmup and windows these options ask for, printing to {@code out}. */
  public TimedWindows windows(Consumer<String> out) {
    return new TimedWindows(warmup, duration, repeats, out);
  }

  /** The load of an echo, as the PHASE line names it. */
  public String echoLoad() {
    return "conns=" + conns + " size=" + size + " window=" + window;
  }
}
