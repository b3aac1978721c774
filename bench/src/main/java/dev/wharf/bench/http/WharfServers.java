package dev.wharf.bench.http;

import dev.wharf.core.EventLoopGroup;
import java.time.Duration;
import java.util.function.ToIntFunction;

/**
 * Starts a Wharf benchmark server the way a user would: an {@link EventLoopGroup} of {@code loops}
 * loops of its own, closed again if the bind fails, and a {@link BoundServer} whose stop closes the
 * server and then shuts the group down. Called from a server main's main thread.
 */
public final class WharfServers {
  /** Builds and binds a server ({@code Server}, {@code HttpServer}, ...) on {@code group}. */
  public interface Binder<S extends AutoCloseable> {
    S bind(EventLoopGroup group) throws Exception;
  }

  private WharfServers() {}

  /**
   * Binds the server {@code binder} builds on a new group of {@code loops} loops named {@code
   * threadName}; {@code port} reads the port it got.
   */
  public static <S extends AutoCloseable> BoundServer start(
      int loops, String threadName, Binder<S> binder, ToIntFunction<S> port) throws Exception {
    var group = new EventLoopGroup(loops, threadName, false);
    S server;
    try {
      server = binder.bind(group);
    } catch (Exception e) {
      group.close();
      throw e;
    }
    return new BoundServer(
        port.applyAsInt(server),
        () -> {
          try {
            server.close();
          } catch (Exception e) {
            System.err.println("closing the server: " + e);
          }
          group.shutdownGracefully(Duration.ofSeconds(2)).join();
        });
  }
}
