package dev.wharf.cli;

import dev.wharf.core.DatagramEndpoint;
import dev.wharf.core.DatagramHandler;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.NameResolver;
import dev.wharf.core.Protocol;
import dev.wharf.core.Server;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.tls.TlsProtocol;
import dev.wharf.core.tls.TlsServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Supplier;

/** Resolving and binding as the commands do it, telling the story as it goes. */
public final class Endpoints {
  private Endpoints() {}

  /** The addresses of a host, in the resolver's order, of the family asked for. */
  public static List<InetSocketAddress> resolve(HostPort address, IpFamily family, Story story)
      throws UnknownHostException {
    List<InetSocketAddress> all = NameResolver.SYSTEM.resolve(address.host(), address.port());
    if (!isLiteral(address.host())) {
      story.resolved(address.host(), all);
    }
    List<InetSocketAddress> chosen =
        all.stream().filter(a -> family.accepts(a.getAddress())).toList();
    if (chosen.isEmpty()) {
      throw new UnknownHostException(
          "no " + family.label() + " address for host name: " + address.host());
    }
    return chosen;
  }

  /** Whether {@code host} is an address rather than a name (nothing to tell of resolving it). */
  public static boolean isLiteral(String host) {
    return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }

  /** The socket address a server binds for a target. */
  public static SocketAddress bindAddress(Target target, Story story) throws UnknownHostException {
    return switch (target) {
      case Target.Unix unix -> UnixDomainSocketAddress.of(unix.path());
      case Target.Inet inet -> resolve(inet.address(), inet.family(), story).getFirst();
    };
  }

  /**
   * Binds a stream server (TCP or Unix). A Unix server's socket file is removed when the JVM exits
   * on a signal too, so that Ctrl-C leaves no file behind.
   */
  public static Server bindStream(
      EventLoopGroup group,
      Target target,
      SocketOptions options,
      String name,
      Supplier<? extends Protocol> protocols,
      Story story)
      throws IOException {
    return bindStream(group, target, options, name, null, protocols, story);
  }

  /**
   * Binds a stream server that speaks TLS when {@code tls} is given; a handshake that fails is told
   * in the story (the protocols never see that connection).
   */
  public static Server bindStream(
      EventLoopGroup group,
      Target target,
      SocketOptions options,
      String name,
      TlsServerConfig tls,
      Supplier<? extends Protocol> protocols,
      Story story)
      throws IOException {
    SocketAddress address = bindAddress(target, story);
    Main.prepareLogging();
    Supplier<? extends Protocol> served =
        tls == null
            ? protocols
            : () -> reportingHandshake(TlsProtocol.server(tls, protocols.get()), story);
    Server server =
        Server.builder(group)
            .options(options)
            .timeouts(dev.wharf.core.Timeouts.INTERACTIVE)
            .name(name)
            .bind(address, served);
    if (target instanceof Target.Unix) {
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "wharf-remove-socket"));
    }
    tellListening(
        target,
        "listening on "
            + target.transport().label()
            + " "
            + Story.format(server.localAddress())
            + (tls == null ? "" : " with TLS"),
        story);
    if (target instanceof Target.Inet) {
      story.options(options);
    }
    return server;
  }

  private static Protocol reportingHandshake(TlsProtocol secured, Story story) {
    secured
        .handshake()
        .exceptionally(
            error -> {
              story.tell(Failures.unwrap(error).getMessage());
              return null;
            });
    return secured;
  }

  /** Binds a UDP endpoint for a server target. */
  public static DatagramEndpoint bindDatagram(
      EventLoopGroup group, Target.Inet target, String name, DatagramHandler handler, Story story)
      throws IOException {
    SocketAddress address = bindAddress(target, story);
    DatagramEndpoint endpoint = DatagramEndpoint.builder(group).name(name).bind(address, handler);
    tellListening(target, "listening on udp " + Story.format(endpoint.localAddress()), story);
    return endpoint;
  }

  /**
   * Where a server listens: under -v, and always when port 0 let the kernel choose, since nothing
   * else would tell the user which port to use (ncat -l 0 is as silent, and as useless).
   */
  private static void tellListening(Target target, String line, Story story) {
    if (target instanceof Target.Inet inet && inet.address().port() == 0) {
      story.announce(line);
    } else {
      story.tell(line);
    }
  }

  /** Binds a UDP endpoint on an ephemeral port for talking to {@code peer}. */
  public static DatagramEndpoint bindDatagramFor(
      EventLoopGroup group, InetSocketAddress peer, DatagramHandler handler) throws IOException {
    boolean v6 = peer.getAddress() instanceof java.net.Inet6Address;
    return DatagramEndpoint.builder(group)
        .family(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)
        .name("connect")
        .bind(new InetSocketAddress(v6 ? "::" : "0.0.0.0", 0), handler);
  }
}
