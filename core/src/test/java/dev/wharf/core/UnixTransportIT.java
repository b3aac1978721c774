package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testkit.Await;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UnixTransportIT extends StreamTransportContract {
  private final Path dir;
  private int sockets;

  UnixTransportIT() throws IOException {
    dir = Files.createTempDirectory("wharf-unix");
  }

  @AfterEach
  void removeDirectory() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(dir);
  }

  @Override
  SocketAddress listenAddress() {
    return UnixDomainSocketAddress.of(dir.resolve("s" + (sockets++) + ".sock"));
  }

  @Override
  SocketChannel openBlocking(SocketAddress serverAddress) throws IOException {
    return SocketChannel.open(serverAddress);
  }

  @Test
  void socketFileIsRemovedOnClose() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    Path path = ((UnixDomainSocketAddress) server.localAddress()).getPath();
    assertThat(path).exists();

    server.close();

    assertThat(path).doesNotExist();
  }

  @Test
  void staleSocketFileFromADeadServerIsReplaced() throws Exception {
    var address = (UnixDomainSocketAddress) listenAddress();
    // Bind and close without unlinking, as a crashed process leaves it.
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(address);
    }
    assertThat(address.getPath()).exists();

    var server = Server.builder(serverGroup).bind(address, EchoProtocol::new);
    var client = new RecordingProtocol();
    connect(server, client).write(new byte[] {7});
    Await.until("echo", () -> client.receivedCount() == 1);
  }

  @Test
  void aLiveServersSocketIsNotStolen() throws Exception {
    var server = echoServer(Timeouts.DEFAULTS);
    assertThatThrownBy(
            () -> Server.builder(serverGroup).bind(server.localAddress(), EchoProtocol::new))
        .isInstanceOf(BindException.class)
        .hasMessageContaining("address already in use");
  }

  @Test
  void aFileThatIsNotASocketIsNeverDeleted() throws Exception {
    var address = (UnixDomainSocketAddress) listenAddress();
    Files.writeString(address.getPath(), "precious");
    assertThatThrownBy(() -> Server.builder(serverGroup).bind(address, EchoProtocol::new))
        .isInstanceOf(BindException.class)
        .hasMessageContaining("is not a socket");
    assertThat(address.getPath()).hasContent("precious");
  }

  @Test
  void listeningInAMissingDirectoryNamesIt() {
    Path missing = dir.resolve("missing");
    var address = UnixDomainSocketAddress.of(missing.resolve("x.sock"));
    assertThatThrownBy(() -> Server.builder(serverGroup).bind(address, EchoProtocol::new))
        .isInstanceOf(BindException.class)
        .hasMessage(
            "cannot listen on " + missing.resolve("x.sock") + ": no such directory: " + missing);
  }

  @Test
  void connectingToAMissingSocketSaysSo() {
    var attempt =
        Client.builder(clientGroup).build().connect(listenAddress(), new RecordingProtocol());
    assertThatThrownBy(() -> unwrap(attempt))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("nothing is listening there");
  }
}
