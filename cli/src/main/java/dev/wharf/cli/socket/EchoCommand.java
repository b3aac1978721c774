package dev.wharf.cli.socket;

import dev.wharf.cli.Endpoints;
import dev.wharf.cli.Story;
import dev.wharf.cli.Target;
import dev.wharf.core.DatagramEndpoint;
import dev.wharf.core.DatagramHandler;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.Server;
import dev.wharf.core.SocketOptions;
import dev.wharf.core.Transport;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf echo}: an echo server (RFC 862) over TCP, UDP or a Unix socket. */
@Command(
    name = "echo",
    mixinStandardHelpOptions = true,
    description = {
      "Sends back whatever it receives, to any number of peers at once, until interrupted.",
      "Over TCP and Unix sockets a peer that does not read its echo is slowed down, not"
          + " buffered without end; over UDP each datagram goes back to its sender."
    })
public final class EchoCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin SocketArgs socket = new SocketArgs();

  @Parameters(
      arity = "0..1",
      paramLabel = "[HOST:]PORT",
      description = "Where to listen; HOST defaults to all interfaces. IPv6 as [::1]:7.")
  String address;

  /** What the command line asked for. */
  record Options(Target target, boolean verbose) {}

  /** Parses and checks the arguments; starts nothing. */
  Options options() {
    return new Options(socket.serverTarget(address), socket.verbose);
  }

  @Override
  public Integer call() throws Exception {
    Options options = options();
    var story = new Story(spec.commandLine().getErr(), "echo", options.verbose());
    // Two loops: echo serves many peers at once, and the machines it runs on have cores.
    var group = new EventLoopGroup(2, "wharf", true);
    try {
      if (options.target() instanceof Target.Inet inet && inet.transport() == Transport.UDP) {
        DatagramEndpoint endpoint =
            Endpoints.bindDatagram(group, inet, "echo", new DatagramEcho(story), story);
        try {
          new CountDownLatch(1).await(); // UDP has no end: run until interrupted.
        } finally {
          endpoint.close();
        }
      } else {
        try (Server server =
            Endpoints.bindStream(
                group,
                options.target(),
                SocketOptions.DEFAULTS,
                "echo",
                () -> new StoryEcho(story),
                story)) {
          server.closeFuture().get();
        }
      }
      return 0;
    } finally {
      group.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  /** UDP echo: each datagram goes back to its sender. Runs on the endpoint's loop. */
  private static final class DatagramEcho implements DatagramHandler {
    private final Story story;
    private SocketAddress lastSender;

    DatagramEcho(Story story) {
      this.story = story;
    }

    @Override
    public void received(DatagramEndpoint endpoint, ByteBuffer data, SocketAddress sender) {
      if (!sender.equals(lastSender)) {
        story.tell("datagrams from " + Story.format(sender));
        lastSender = sender;
      }
      endpoint.send(data, sender);
    }
  }
}
