package dev.wharf.http.h2.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.ClientResponse;
import dev.wharf.http.client.HttpClient;
import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP/2 client against a scripted server (python3-h2, src/test/python/h2_server_script.py)
 * that does what nginx never would on cue: GOAWAY in the middle of two exchanges, REFUSED_STREAM,
 * resets, trailers, and frames that break the protocol, each expecting the exact error code we send
 * back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2ClientScriptedIT {
  private static final Path SCRIPT = Path.of("src/test/python/h2_server_script.py");

  private final EventLoopGroup group = new EventLoopGroup(1, "h2-scripted-it", true);
  private final HttpClient client =
      HttpClient.builder().group(group).version(HttpClient.Version.HTTP_2_PRIOR_KNOWLEDGE).build();
  private ExternalProcess server;
  private int port;

  @AfterEach
  void stop() {
    client.close();
    group.shutdownGracefully(Duration.ofSeconds(2)).join();
    if (server != null) {
      server.close();
    }
  }

  private void start(String scenario) throws IOException {
    server = ExternalProcess.command("/usr/bin/python3", "-u", SCRIPT.toString(), scenario).start();
    String line = server.awaitLine(Duration.ofSeconds(20));
    assertThat(line).as("the script said: %s", server.errors()).startsWith("port ");
    port = Integer.parseInt(line.substring("port ".length()).trim());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private ClientResponse get(String path) throws Exception {
    return client.send(ClientRequest.get(url(path))).get(20, TimeUnit.SECONDS);
  }

  private Throwable failure(String path) {
    CompletableFuture<ClientResponse> response = client.send(ClientRequest.get(url(path)));
    return assertThatThrownBy(() -> response.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .actual()
        .getCause();
  }

  private void awaitOutput(String text) {
    server.awaitOutputContaining(text, Duration.ofSeconds(20));
  }

  @Test
  void aStreamPastTheLastIdOfAGoAwayGoesAgainOnANewConnection() throws Exception {
    start("goaway");
    assertThat(get("/first").bodyAsString()).isEqualTo("answer 1");

    // Stream 3 lies past GOAWAY's last stream 1: not processed, so sent again (RFC 9113 §8.7).
    ClientResponse second = get("/second");

    assertThat(second.bodyAsString()).isEqualTo("answer 1"); // stream 1 of the second connection
    awaitOutput("request 2 1 GET /second");
    assertThat(server.output()).contains("request 1 3 GET /second", "connection 2");
    assertThat(get("/third").bodyAsString()).isEqualTo("answer 3"); // the new one is shared
  }

  @Test
  void aRefusedStreamIsSentAgain() throws Exception {
    start("refuse");

    ClientResponse response = get("/refused-once");

    assertThat(response.bodyAsString()).isEqualTo("answer 3");
    // The script prints before it answers, but its output is read on another thread: wait for it.
    awaitOutput("request 1 3 GET /refused-once");
    assertThat(server.output()).contains("request 1 1 GET /refused-once");
  }

  @Test
  void aResetStreamFailsItsExchangeAndNotTheConnection() throws Exception {
    start("reset");

    Throwable first = failure("/a");
    Throwable second = failure("/b");

    assertThat(first)
        .isInstanceOf(IOException.class)
        .hasMessage("the server reset stream 1: INTERNAL_ERROR");
    assertThat(second).hasMessage("the server reset stream 3: INTERNAL_ERROR");
    assertThat(server.output()).doesNotContain("connection 2");
  }

  @Test
  void trailersArriveAfterTheBody() throws Exception {
    start("trailers");

    ClientResponse response = get("/with-trailers");

    assertThat(response.version()).isEqualTo("HTTP/2");
    assertThat(response.bodyAsString()).isEqualTo("body");
    assertThat(response.trailers().first("grpc-status")).hasValue("0");
    assertThat(response.trailers().first("x-checksum")).hasValue("abc");
  }

  @Test
  void dataOnStreamZeroIsAConnectionProtocolError() throws Exception {
    start("frames");

    assertThat(failure("/data0"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("PROTOCOL_ERROR");
    awaitOutput("goaway 1"); // RFC 9113 §6.1: GOAWAY PROTOCOL_ERROR
  }

  @Test
  void anUppercaseFieldNameResetsTheStreamWithProtocolError() throws Exception {
    start("frames");

    assertThat(failure("/upper"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("uppercase");
    awaitOutput("rst 1 1"); // RFC 9113 §8.2.1: malformed, RST_STREAM PROTOCOL_ERROR
    assertThat(get("/fine").bodyAsString()).isEqualTo("ok"); // the connection carries on
    assertThat(server.output()).doesNotContain("connection 2");
  }

  @Test
  void aBodyPastItsContentLengthResetsTheStream() throws Exception {
    start("frames");

    assertThat(failure("/length"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("content-length");
    awaitOutput("rst 1 1"); // RFC 9113 §8.1.1
  }

  @Test
  void aPingIsAnswered() throws Exception {
    start("frames");

    assertThat(get("/ping").bodyAsString()).isEqualTo("ok");
    awaitOutput("pingack 70696e67706f6e67"); // "pingpong" came back (RFC 9113 §6.7)
  }

  @Test
  void aServerThatEnablesPushIsAConnectionProtocolError() throws Exception {
    start("frames");

    assertThat(failure("/push")).isInstanceOf(ProtocolException.class);
    awaitOutput("goaway 1"); // RFC 9113 §6.5.2
  }
}
