package dev.wharf.http.h2.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.testing.EmbeddedConnection;
import dev.wharf.core.testing.FakeClock;
import dev.wharf.http.Headers;
import dev.wharf.http.HttpUrl;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.ExchangeTimings;
import dev.wharf.http.client.ResponseListener;
import dev.wharf.http.h2.frame.ConnectionPreface;
import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.Http2Exception;
import dev.wharf.http.h2.frame.Http2FrameDecoder;
import dev.wharf.http.h2.frame.Http2FrameEncoder;
import dev.wharf.http.h2.frame.Http2FrameListener;
import dev.wharf.http.h2.frame.Http2Settings;
import dev.wharf.http.h2.hpack.HeaderField;
import dev.wharf.http.h2.hpack.HpackDecoder;
import dev.wharf.http.h2.hpack.HpackEncoder;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client connection on an embedded connection, with a fake clock and a hand-driven server (our
 * own codec): the rules whose timing a real peer cannot show on cue, each by the frames it writes.
 */
class Http2ClientConnectionTest {
  private final FakeClock clock = new FakeClock();
  private int unusable;
  private final Http2ClientConnection client = new Http2ClientConnection(c -> unusable++);
  private final EmbeddedConnection connection = EmbeddedConnection.of(clock, client);
  private final Server server = new Server();

  /** The server's side: reads what the client wrote as frame lines, writes frames to it. */
  private final class Server implements Http2FrameListener {
    private final ConnectionPreface preface = new ConnectionPreface();
    private final Http2FrameDecoder decoder =
        new Http2FrameDecoder(Http2FrameDecoder.Limits.defaults(), false);
    private final HpackDecoder hpack = new HpackDecoder(4096, 1 << 20);
    private final HpackEncoder hpackOut = new HpackEncoder(4096);
    private final Http2FrameEncoder encoder = new Http2FrameEncoder();
    private final List<String> frames = new ArrayList<>();

    /** What the client wrote since the last call, one line per frame. */
    List<String> read() {
      connection.runPendingTasks();
      ByteBuffer bytes = ByteBuffer.wrap(connection.readOutbound());
      if (!preface.isRead()) {
        preface.read(bytes);
      }
      decoder.decode(bytes, this);
      var out = List.copyOf(frames);
      frames.clear();
      return out;
    }

    void write(java.util.function.Consumer<ByteBuffer> frame) {
      var out = ByteBuffer.allocate(1 << 20);
      frame.accept(out);
      connection.writeInbound(out.flip());
      connection.runPendingTasks();
    }

    void settings(Http2Settings settings) {
      write(out -> encoder.writeSettings(out, settings));
    }

    void headers(int stream, boolean endStream, String... fields) {
      var list = new ArrayList<HeaderField>();
      for (int i = 0; i < fields.length; i += 2) {
        list.add(new HeaderField(fields[i], fields[i + 1]));
      }
      byte[] block = hpackOut.encode(list);
      write(out -> encoder.writeHeaders(out, stream, ByteBuffer.wrap(block), endStream));
    }

    void data(int stream, int length, boolean endStream) {
      write(out -> encoder.writeData(out, stream, ByteBuffer.allocate(length), endStream));
    }

    @Override
    public void onData(int streamId, ByteBuffer data, int flowControlledLength, boolean end) {
      frames.add("DATA " + streamId + " " + data.remaining() + (end ? " END_STREAM" : ""));
    }

    @Override
    public void onHeaders(int streamId, ByteBuffer fieldBlock, boolean endStream) {
      var text = new StringBuilder("HEADERS " + streamId);
      hpack.decode(
          fieldBlock,
          (name, value) -> {
            if (name.equals(":method") || name.equals(":path")) {
              text.append(' ').append(value);
            }
          });
      frames.add(text + (endStream ? " END_STREAM" : ""));
    }

    @Override
    public void onPriority(int streamId, int dependency, boolean exclusive, int weight) {}

    @Override
    public void onRstStream(int streamId, int errorCode) {
      frames.add("RST_STREAM " + streamId + " " + ErrorCode.of(errorCode));
    }

    @Override
    public void onSettings(Http2Settings settings) {
      frames.add("SETTINGS");
    }

    @Override
    public void onSettingsAck() {
      frames.add("SETTINGS ACK");
    }

    @Override
    public void onPushPromise(int streamId, int promisedStreamId, ByteBuffer fieldBlock) {}

    @Override
    public void onPing(long data, boolean ack) {
      frames.add("PING" + (ack ? " ACK" : ""));
    }

    @Override
    public void onGoAway(int lastStreamId, int errorCode, ByteBuffer debugData) {
      frames.add("GOAWAY " + lastStreamId + " " + ErrorCode.of(errorCode));
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) {
      frames.add("WINDOW_UPDATE " + streamId + " " + increment);
    }

    @Override
    public void onStreamError(Http2Exception error) {
      throw error;
    }
  }

  /** Records what a listener hears. */
  private static final class Recording implements ResponseListener {
    int status;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean complete;
    Throwable failure;

    @Override
    public void head(ResponseHead head) {
      status = head.status();
    }

    @Override
    public void body(ByteBuffer chunk) {
      byte[] bytes = new byte[chunk.remaining()];
      chunk.get(bytes);
      body.writeBytes(bytes);
    }

    @Override
    public void complete(ExchangeTimings timings) {
      complete = true;
    }

    @Override
    public void failed(Throwable error) {
      failure = error;
    }
  }

  private Recording send(String method, String path, byte[] body) {
    var listener = new Recording();
    URI uri = URI.create("http://example.test" + path);
    var request = new ClientRequest(method, uri, Headers.EMPTY, body);
    client.send(
        new Exchange(
            request,
            HttpUrl.of(uri),
            listener,
            false,
            Duration.ZERO,
            Duration.ZERO,
            0,
            Duration.ZERO));
    return listener;
  }

  /** Reads the client's opening, sends the server's SETTINGS and reads the client's ACK. */
  private void handshake() {
    server.read();
    server.settings(new Http2Settings());
    assertThat(server.read()).containsExactly("SETTINGS ACK");
  }

  private Recording get(String path) {
    return send("GET", path, new byte[0]);
  }

  @Test
  void opensWithSettingsTheConnectionWindowAndAPing() {
    assertThat(server.read())
        .containsExactly(
            "SETTINGS",
            "WINDOW_UPDATE 0 " + (Http2ClientConnection.CONNECTION_WINDOW - 65_535),
            "PING");
  }

  @Test
  void streamsPastTheServersLimitWaitForOneToEnd() {
    server.read();
    server.settings(new Http2Settings().set(Http2Settings.MAX_CONCURRENT_STREAMS, 1));
    Recording first = get("/one");
    Recording second = get("/two");

    assertThat(server.read()).containsExactly("SETTINGS ACK", "HEADERS 1 GET /one END_STREAM");

    server.headers(1, true, ":status", "204");

    assertThat(first.complete).isTrue();
    assertThat(server.read()).containsExactly("HEADERS 3 GET /two END_STREAM");
    server.headers(3, true, ":status", "200");
    assertThat(second.status).isEqualTo(200);
  }

  @Test
  void aRequestBodyWaitsForTheServersWindow() {
    server.read();
    server.settings(new Http2Settings().set(Http2Settings.INITIAL_WINDOW_SIZE, 10));
    send("POST", "/upload", new byte[25]);

    assertThat(server.read())
        .containsExactly("SETTINGS ACK", "HEADERS 1 POST /upload", "DATA 1 10");

    server.write(out -> server.encoder.writeWindowUpdate(out, 1, 10));
    assertThat(server.read()).containsExactly("DATA 1 10");
    server.write(out -> server.encoder.writeWindowUpdate(out, 1, 100));
    assertThat(server.read()).containsExactly("DATA 1 5 END_STREAM");
  }

  @Test
  void theResponseWindowIsGivenBackOnceHalfIsConsumed() {
    handshake();
    Recording response = get("/big");
    server.read();
    server.headers(1, false, ":status", "200");
    for (int i = 0; i < 31; i++) {
      server.data(1, 16_384, false); // 31 frames: 507,904 bytes, under half the 1 MiB window
    }
    assertThat(server.read()).isEmpty();

    server.data(1, 16_384, false); // 524,288 bytes: half

    assertThat(server.read()).containsExactly("WINDOW_UPDATE 1 524288");
    server.data(1, 1, true);
    assertThat(response.body.size()).isEqualTo(524_289);
    assertThat(response.complete).isTrue();
  }

  @Test
  void settingsNeverAcknowledgedEndTheConnectionWithSettingsTimeout() {
    server.read();

    clock.advance(Http2ClientConnection.SETTINGS_TIMEOUT.plusSeconds(1));
    connection.runPendingTasks();

    assertThat(server.read()).containsExactly("GOAWAY 0 SETTINGS_TIMEOUT");
    assertThat(connection.isClosed()).isTrue();
    assertThat(unusable).isEqualTo(1);
  }

  @Test
  void dataOnAnIdleStreamIsAConnectionProtocolError() {
    handshake();
    Recording pending = get("/x");
    server.read();

    server.data(5, 3, false);

    assertThat(server.read()).containsExactly("GOAWAY 0 PROTOCOL_ERROR");
    assertThat(pending.failure).hasMessageContaining("DATA on idle stream 5");
    assertThat(connection.isClosed()).isTrue();
  }

  @Test
  void aGoAwayFailsTheStreamsPastItsLastIdAsUnprocessed() {
    handshake();
    Recording first = get("/1");
    Recording second = get("/2");
    server.read();

    server.write(
        out -> server.encoder.writeGoAway(out, 1, ErrorCode.NO_ERROR, ByteBuffer.allocate(0)));

    assertThat(second.failure)
        .isInstanceOfSatisfying(
            UnprocessedRequestException.class, e -> assertThat(e.isCertain()).isTrue());
    assertThat(first.failure).isNull();
    assertThat(client.isUsable()).isFalse();
    server.headers(1, true, ":status", "200");
    assertThat(first.complete).isTrue();
    // Its last stream done, the connection says goodbye and closes.
    assertThat(server.read()).containsExactly("GOAWAY 0 NO_ERROR");
    assertThat(connection.isClosed()).isTrue();
  }

  @Test
  void trailersWithoutEndStreamResetTheStream() {
    handshake();
    Recording response = get("/t");
    server.read();
    server.headers(1, false, ":status", "200");

    server.headers(1, false, "x-trailer", "1");

    assertThat(server.read()).containsExactly("RST_STREAM 1 PROTOCOL_ERROR");
    assertThat(response.failure).hasMessageContaining("second HEADERS without END_STREAM");
  }
}
