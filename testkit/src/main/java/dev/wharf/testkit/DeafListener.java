package dev.wharf.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback listener that never answers a connect: its accept queue (backlog 1) is filled by a few
 * connections of its own and nothing accepts, so the kernel drops further SYNs and a client's
 * connect hangs until its own deadline, as with a host behind a firewall that drops packets.
 *
 * <p>Made and closed by a test's thread.
 */
public final class DeafListener implements AutoCloseable {
  private final ServerSocketChannel listener;
  private final List<SocketChannel> fillers = new ArrayList<>();

  private DeafListener(ServerSocketChannel listener) {
    this.listener = listener;
  }

  /** Binds to a free loopback port and fills the accept queue. */
  public static DeafListener open() throws IOException {
    var deaf = new DeafListener(ServerSocketChannel.open());
    try {
      deaf.listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      for (int i = 0; i < 4; i++) {
        SocketChannel filler = SocketChannel.open();
        deaf.fillers.add(filler);
        filler.configureBlocking(false);
        filler.connect(deaf.listener.getLocalAddress());
      }
      return deaf;
    } catch (IOException | RuntimeException e) {
      deaf.close();
      throw e;
    }
  }

  public InetSocketAddress address() throws IOException {
    return (InetSocketAddress) listener.getLocalAddress();
  }

  public int port() throws IOException {
    return address().getPort();
  }

  @Override
  public void close() throws IOException {
    for (SocketChannel filler : fillers) {
      filler.close();
    }
    listener.close();
  }
}
