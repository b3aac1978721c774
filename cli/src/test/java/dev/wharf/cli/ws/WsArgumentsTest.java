package dev.wharf.cli.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.cli.HostPort;
import dev.wharf.cli.IpFamily;
import dev.wharf.cli.Target;
import dev.wharf.cli.Urls;
import dev.wharf.cli.tls.ServerTlsOptions;
import dev.wharf.core.Transport;
import dev.wharf.http.Headers;
import dev.wharf.websocket.WebSocketConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code wharf ws}'s arguments, parsed into its options; nothing is started. */
class WsArgumentsTest {

  static WsCommand.Options ws(String... args) {
    var command = new WsCommand();
    new CommandLine(GeneratedModels.wsCommand(command)).parseArgs(args);
    return command.options();
  }

  @Test
  void aUrlAloneIsAPlainTextClient() {
    assertThat(ws("ws://127.0.0.1:8000/ws/echo"))
        .isEqualTo(
            new WsCommand.Options(
                Optional.of(URI.create("ws://127.0.0.1:8000/ws/echo")),
                Optional.empty(),
                false,
                false,
                false,
                false,
                Duration.ZERO,
                List.of(),
                List.of(),
                false,
                0,
                false,
                16L << 20,
                false));
  }

  @Test
  void everyOptionLandsInItsPlace() {
    WsCommand.Options options =
        ws(
            "-b",
            "--jsonl",
            "--ping",
            "0.5",
            "-H",
            "Origin: http://localhost",
            "--header=Authorization:Basic YTpi",
            "--subprotocol",
            "chat",
            "--subprotocol",
            "v2.chat",
            "--deflate",
            "--exit-after",
            "3",
            "--reconnect",
            "--max-message",
            "1M",
            "-v",
            "ws://[::1]:9/x?y=1");
    assertThat(options.url()).contains(URI.create("ws://[::1]:9/x?y=1"));
    assertThat(options.binary()).isTrue();
    assertThat(options.jsonl()).isTrue();
    assertThat(options.ping()).isEqualTo(Duration.ofMillis(500));
    assertThat(options.headers())
        .containsExactly(
            new Headers.Field("Origin", "http://localhost"),
            new Headers.Field("Authorization", "Basic YTpi"));
    assertThat(options.subprotocols()).containsExactly("chat", "v2.chat");
    assertThat(options.exitAfter()).isEqualTo(3);
    assertThat(options.reconnect()).isTrue();
    assertThat(options.verbose()).isTrue();
    WebSocketConfig config = options.config();
    assertThat(config.deflate()).isPresent();
    assertThat(config.subprotocols()).containsExactly("chat", "v2.chat");
    assertThat(config.maxMessageBytes()).isEqualTo(1 << 20);
    // Listener callbacks write stdout: they must be allowed to block.
    assertThat(config.dispatch()).isEqualTo(WebSocketConfig.Dispatch.VIRTUAL_THREAD);
  }

  @Test
  void listenTakesAPortOrHostAndPort() {
    assertThat(ws("--listen", "9000").listen())
        .contains(new Target.Inet(Transport.TCP, new HostPort("0.0.0.0", 9000), IpFamily.ANY));
    assertThat(ws("-l", "127.0.0.1:0", "--deflate").listen())
        .contains(new Target.Inet(Transport.TCP, new HostPort("127.0.0.1", 0), IpFamily.ANY));
  }

  @Test
  void aUrlWithoutSchemeIsWsAsGetAssumesHttp() {
    assertThat(ws("127.0.0.1:8000/path").url()).contains(URI.create("ws://127.0.0.1:8000/path"));
  }

  @Test
  void mistakesAreOneClearLine() {
    assertThatIllegalArgumentException()
        .isThrownBy(WsArgumentsTest::ws)
        .withMessage("give a ws:// URL to connect to, or --listen [HOST:]PORT");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("http://localhost/"))
        .withMessage("the URL must start with ws:// (or wss://), got 'http://localhost/'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("ws://bad host/"))
        .withMessageStartingWith("malformed URL 'ws://bad host/': ");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("ws:///path"))
        .withMessage("malformed URL 'ws:///path': no host");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("ws://127.0.0.1:99999/"))
        .isInstanceOf(Urls.Malformed.class)
        .withMessage("malformed URL 'ws://127.0.0.1:99999/': port must be 0-65535");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("ws://h/#frag"))
        .withMessage("a WebSocket URL has no #fragment: 'ws://h/#frag'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--listen", "9000", "ws://h/"))
        .withMessage("--listen takes the place of a URL: drop ws://h/");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--listen", "9000", "--reconnect"))
        .withMessage("--reconnect is for a client, not with --listen");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--ping", "0", "ws://h/"))
        .withMessage("--ping must be between 0 and 86400 seconds, got 0.0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--exit-after", "0", "ws://h/"))
        .withMessage("--exit-after must be at least 1, got 0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("-H", "no colon", "ws://h/"))
        .withMessage("--header takes 'NAME: VALUE', got 'no colon'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("-H", "Sec-WebSocket-Protocol: chat", "ws://h/"))
        .withMessage(
            "Sec-WebSocket-Protocol is set by the handshake itself (see --subprotocol and"
                + " --deflate)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--subprotocol", "a b", "ws://h/"))
        .withMessage("--subprotocol must be a token, got 'a b'");
  }

  @Test
  void tlsOptionsGoWithWssUrlsOnly() {
    assertThat(
            ws("--cacert", "/tmp/ca.pem", "--pin", "sha256:" + "A".repeat(43) + "=", "wss://h/")
                .url())
        .contains(URI.create("wss://h/"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--cacert", "/tmp/ca.pem", "ws://h/"))
        .withMessage("--cacert goes with a wss:// URL");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--cacert", "/tmp/ca.pem", "--listen", "9000"))
        .withMessage("--cacert checks a server: it is for wss:// URLs, not --listen");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--insecure", "--listen", "9000"))
        .withMessage(
            "--insecure checks a server: it is for wss:// URLs, not --listen (where -k means"
                + " --keep-open)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--pin", "nonsense", "wss://h/"))
        .withMessageStartingWith("--pin: ");
  }

  @Test
  void withListenMinusKKeepsServingAndTlsUsesTheCertificateOptions() {
    WsCommand.Options options = ws("-l", "9000", "-vk", "--tls");
    assertThat(options.keepOpen()).isTrue();
    assertThat(options.tls()).isTrue();
    assertThat(ws("--listen", "9000", "--keep-open").keepOpen()).isTrue();
    assertThat(ws("--listen", "9000").keepOpen()).isFalse();
    // -k stays --insecure for a client.
    assertThat(ws("-k", "wss://h/").keepOpen()).isFalse();

    var command = new WsCommand();
    new CommandLine(GeneratedModels.wsCommand(command))
        .parseArgs("-l", "9000", "--tls", "--cert", "c.pem", "--key", "k.pem");
    assertThat(command.options().tls()).isTrue();
    ServerTlsOptions server = command.serverTls();
    assertThat(server.enabled()).isTrue();
    assertThat(server.certificate).isEqualTo(java.nio.file.Path.of("c.pem"));
    assertThat(server.key).isEqualTo(java.nio.file.Path.of("k.pem"));
  }

  @Test
  void listenOptionsGoWithListenAndServerTlsWithTls() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--keep-open", "ws://h/"))
        .withMessage("--keep-open goes with --listen");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--tls", "wss://h/"))
        .withMessage("--tls goes with --listen; a client speaks TLS to a wss:// URL");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--listen", "9000", "--cert", "c.pem"))
        .withMessage("--cert goes with --tls");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--listen", "9000", "--tls", "--key", "k.pem"))
        .withMessage("--key goes with --cert");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ws("--listen", "9000", "--tls", "--alpn", "h2"))
        .withMessage("--alpn: a WebSocket server agrees on http/1.1 only, and does so by itself");
  }
}
