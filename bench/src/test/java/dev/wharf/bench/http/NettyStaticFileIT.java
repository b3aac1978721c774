package dev.wharf.bench.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Netty's side of the static file benchmark serves the root's files and nothing else. */
class NettyStaticFileIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"netty-nio", "netty-epoll"})
  void servesFilesWholeOverOneConnectionAndRefusesTheRest(String impl) throws Exception {
    Path root = Files.createDirectory(dir.resolve("www"));
    byte[] big = new byte[300_000]; // more than a socket buffer: the region goes out in parts
    new Random(7).nextBytes(big);
    Files.write(root.resolve("big.bin"), big);
    Files.writeString(root.resolve("a.txt"), "hello");
    Files.writeString(root.resolve(".hidden"), "secret");
    Files.writeString(dir.resolve("outside.txt"), "secret");

    BoundServer server =
        StaticFileServerMain.start(impl, new InetSocketAddress("127.0.0.1", 0), 1, root);
    try (var client = new RawHttp(server.port())) {
      client.send(RawHttp.get("/big.bin") + RawHttp.get("/a.txt?x=1"));
      RawHttp.Reply first = client.read();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.headers())
          .containsEntry("content-length", "300000")
          .containsEntry("content-type", "application/octet-stream")
          .containsKeys("date", "server", "last-modified");
      assertThat(first.body()).isEqualTo(big);
      RawHttp.Reply second = client.read();
      assertThat(second.headers()).containsEntry("content-type", "text/plain; charset=utf-8");
      assertThat(second.bodyText()).isEqualTo("hello");

      for (String path : new String[] {"/../outside.txt", "/%2e%2e/outside.txt", "/.hidden"}) {
        client.send(RawHttp.get(path));
        assertThat(client.read().status()).as(path).isEqualTo(404);
      }
      client.send("POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
      assertThat(client.read().status()).isEqualTo(405);
    } finally {
      server.stop().run();
    }
  }
}
