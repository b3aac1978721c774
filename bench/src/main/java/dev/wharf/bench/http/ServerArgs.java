package dev.wharf.bench.http;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The flags every HTTP benchmark server takes: {@code --impl I --host H --port P --loops N}, and
 * {@code --dir D} for the static file servers.
 */
record ServerArgs(String impl, String host, int port, int loops, Path dir) {

  /** Parses the flags, or prints one line of usage and exits with 2. */
  static ServerArgs parse(String[] args, String usage, List<String> impls, boolean needsDir) {
    String impl = null;
    String host = "127.0.0.1";
    int port = 8080;
    int loops = 1;
    Path dir = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--impl" -> impl = args[++i];
          case "--host" -> host = args[++i];
          case "--port" -> port = Integer.parseInt(args[++i]);
          case "--loops" -> loops = Integer.parseInt(args[++i]);
          case "--dir" -> dir = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (impl == null || !impls.contains(impl)) {
        throw new IllegalArgumentException("--impl must be one of " + impls);
      }
      if (port < 0 || port > 65535 || loops < 1) {
        throw new IllegalArgumentException("--port must be 0-65535 and --loops at least 1");
      }
      if (needsDir != (dir != null) || (dir != null && !Files.isDirectory(dir))) {
        throw new IllegalArgumentException(
            needsDir ? "--dir must name a directory" : "--dir is for the static file server");
      }
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      String why = e instanceof ArrayIndexOutOfBoundsException ? "a flag lacks its value" : null;
      System.err.println((why != null ? why : e.getMessage()) + "; usage: " + usage);
      System.exit(2);
    }
    return new ServerArgs(impl, host, port, loops, dir);
  }

  InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }
}
