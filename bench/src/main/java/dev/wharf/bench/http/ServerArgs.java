package dev.wharf.bench.http;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The command line of a benchmark server main, parsed: {@code --impl I [--host H] [--port P]
 * [--loops N]} that every one takes, and the extra flags of its kind ({@code --dir}, {@code
 * --cert}, {@code --deflate}, ...). Used on the main thread, before the server starts.
 */
public record ServerArgs(
    String impl, String host, int port, int loops, Map<String, String> extras) {

  /** Wharf and Netty's two transports: what most server mains and runners compare. */
  public static final List<String> WHARF_AND_NETTY = List.of("wharf", "netty-nio", "netty-epoll");

  /**
   * What one main accepts: its name (for the usage line), its implementations, its default port,
   * the extra flags that take a path (all required) and those that stand alone, and a check of the
   * whole that throws {@link IllegalArgumentException} with the reason.
   */
  public record Spec(
      String main,
      List<String> impls,
      int defaultPort,
      List<String> pathFlags,
      List<String> switches,
      Consumer<ServerArgs> check) {

    /** A main of {@link #WHARF_AND_NETTY} with no extra flags. */
    public static Spec of(Class<?> main, int defaultPort) {
      return new Spec(
          main.getSimpleName(), WHARF_AND_NETTY, defaultPort, List.of(), List.of(), a -> {});
    }

    public Spec withImpls(String... names) {
      return new Spec(main, List.of(names), defaultPort, pathFlags, switches, check);
    }

    public Spec withPaths(String... flags) {
      return new Spec(main, impls, defaultPort, List.of(flags), switches, check);
    }

    public Spec withSwitches(String... flags) {
      return new Spec(main, impls, defaultPort, pathFlags, List.of(flags), check);
    }

    public Spec withCheck(Consumer<ServerArgs> check) {
      return new Spec(main, impls, defaultPort, pathFlags, switches, check);
    }

    /** One line: {@code Main --impl a|b [--cert PATH] [--host 127.0.0.1] [--port P] ...}. */
    public String usage() {
      var line = new StringBuilder(main).append(" --impl ").append(String.join("|", impls));
      pathFlags.forEach(f -> line.append(' ').append(f).append(" PATH"));
      line.append(" [--host 127.0.0.1] [--port ").append(defaultPort).append("] [--loops 1]");
      switches.forEach(f -> line.append(" [").append(f).append(']'));
      return line.toString();
    }
  }

  /**
   * Parses {@code args} by {@code spec}; throws {@link IllegalArgumentException} (or {@link
   * ArrayIndexOutOfBoundsException} for a flag without its value) on a mistake.
   */
  static ServerArgs parse(String[] args, Spec spec) {
    String impl = null;
    String host = "127.0.0.1";
    int port = spec.defaultPort();
    int loops = 1;
    var extras = new HashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "--impl" -> impl = args[++i];
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--loops" -> loops = Integer.parseInt(args[++i]);
        default -> {
          if (spec.pathFlags().contains(flag)) {
            extras.put(flag, args[++i]);
          } else if (spec.switches().contains(flag)) {
            extras.put(flag, "");
          } else {
            throw new IllegalArgumentException("unknown argument " + flag);
          }
        }
      }
    }
    require(impl != null && spec.impls().contains(impl), "--impl must be one of " + spec.impls());
    require(
        port >= 0 && port <= 65535 && loops >= 1, "--port must be 0-65535 and --loops at least 1");
    for (String flag : spec.pathFlags()) {
      require(extras.containsKey(flag), flag + " is required");
    }
    var parsed = new ServerArgs(impl, host, port, loops, Map.copyOf(extras));
    spec.check().accept(parsed);
    return parsed;
  }

  /** Throws {@link IllegalArgumentException} with {@code reason} unless {@code ok}. */
  public static void require(boolean ok, String reason) {
    if (!ok) {
      throw new IllegalArgumentException(reason);
    }
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }

  /** Whether the switch {@code flag} was given. */
  public boolean has(String flag) {
    return extras.containsKey(flag);
  }

  /** The path given with {@code flag}, or null if it was not. */
  public Path path(String flag) {
    String value = extras.get(flag);
    return value == null ? null : Path.of(value);
  }
}
