package dev.wharf.http.h2.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.http.server.HttpTimeouts;
import dev.wharf.testkit.ExternalProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * h2spec's 147 cases, under h2spec's own ids (generic/…, http2/§…, hpack/§…): a Python peer
 * (h2spec_cases.py, raw frames and hand-packed HPACK) makes each case's moves, and the server must
 * give the exact answer: the GOAWAY or RST_STREAM code h2spec accepts, or the response to a valid
 * variant. Where h2spec accepts a stream error or a connection error, the row names the one we
 * give. After every case an honest client on a new connection is still served.
 *
 * <p>An expectation is a list of lines separated by {@code ;} that the peer must print in that
 * order; {@code !line} is a line it must not print.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2SpecIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private RawFrameServer server;

  @BeforeEach
  void start() throws Exception {
    server = new RawFrameServer("h2spec", WAIT, HttpTimeouts.DEFAULTS);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // generic: every frame type and HPACK representation, sent valid, is accepted
    "generic/1/1, SETTINGS_ACK; PING_ACK",
    "generic/2/1, PING_ACK",
    "generic/2/2, PING_ACK; !RST_STREAM 1 PROTOCOL_ERROR",
    "generic/2/3, PING_ACK",
    "generic/2/4, PING_ACK",
    "generic/2/5, PING_ACK",
    "generic/3.1/1, HEADERS 1 200; DATA 1 4",
    "generic/3.1/2, HEADERS 1 200; DATA 1 8",
    "generic/3.1/3, HEADERS 1 200; DATA 1 4",
    "generic/3.2/1, HEADERS 1 200",
    "generic/3.2/2, HEADERS 1 200",
    "generic/3.2/3, HEADERS 1 200",
    "generic/3.3/1, PING_ACK",
    "generic/3.3/2, PING_ACK",
    "generic/3.3/3, PING_ACK",
    "generic/3.3/4, PING_ACK",
    "generic/3.3/5, HEADERS 1 200",
    "generic/3.4/1, PING_ACK",
    "generic/3.5/1, SETTINGS_ACK; SETTINGS_ACK; PING_ACK",
    "generic/3.7/1, PING_ACK",
    "generic/3.8/1, PING_ACK",
    "generic/3.9/1, PING_ACK",
    "generic/3.9/2, PING_ACK",
    "generic/3.10/1, HEADERS 1 200",
    "generic/3.10/2, HEADERS 1 200",
    "generic/4/1, HEADERS 1 200; END_STREAM 1",
    "generic/4/2, HEADERS 1 200; !DATA 1 6",
    "generic/4/3, HEADERS 1 200; END_STREAM 1",
    "generic/4/4, HEADERS 1 200; END_STREAM 1",
    "generic/5/1, HEADERS 1 200",
    "generic/5/2, HEADERS 1 200",
    "generic/5/3, HEADERS 1 200",
    "generic/5/4, HEADERS 1 200",
    "generic/5/5, HEADERS 1 200",
    "generic/5/6, HEADERS 1 200",
    "generic/5/7, HEADERS 1 200",
    "generic/5/8, HEADERS 1 200",
    "generic/5/9, HEADERS 1 200",
    "generic/5/10, HEADERS 1 200",
    "generic/5/11, HEADERS 1 200",
    "generic/5/12, HEADERS 1 200",
    "generic/5/13, HEADERS 1 200",
    "generic/5/14, HEADERS 1 200",
    "generic/5/15, HEADERS 1 200",
    // http2 §3.5 the preface, §4.1 frame format, §4.2 frame size, §4.3 header blocks
    "http2/3.5/1, SETTINGS_ACK; PING_ACK",
    "http2/3.5/2, CLOSED",
    "http2/4.1/1, PING_ACK",
    "http2/4.1/2, PING_ACK",
    "http2/4.1/3, HEADERS 1 200",
    "http2/4.2/1, HEADERS 1 200; DATA 1 16384",
    "http2/4.2/2, GOAWAY FRAME_SIZE_ERROR",
    "http2/4.2/3, GOAWAY FRAME_SIZE_ERROR",
    "http2/4.3/1, GOAWAY COMPRESSION_ERROR",
    "http2/4.3/2, GOAWAY PROTOCOL_ERROR",
    "http2/4.3/3, GOAWAY PROTOCOL_ERROR",
    // §5.1 stream states: idle, half-closed (remote), closed by RST_STREAM, closed
    "http2/5.1/1, GOAWAY PROTOCOL_ERROR",
    "http2/5.1/2, GOAWAY PROTOCOL_ERROR",
    "http2/5.1/3, GOAWAY PROTOCOL_ERROR",
    "http2/5.1/4, GOAWAY PROTOCOL_ERROR",
    "http2/5.1/5, RST_STREAM 1 STREAM_CLOSED",
    "http2/5.1/6, RST_STREAM 1 STREAM_CLOSED",
    "http2/5.1/7, GOAWAY PROTOCOL_ERROR",
    "http2/5.1/8, RST_STREAM 1 STREAM_CLOSED",
    "http2/5.1/9, GOAWAY STREAM_CLOSED",
    "http2/5.1/10, GOAWAY PROTOCOL_ERROR",
    "http2/5.1/11, RST_STREAM 1 STREAM_CLOSED",
    "http2/5.1/12, GOAWAY STREAM_CLOSED",
    "http2/5.1/13, GOAWAY PROTOCOL_ERROR",
    "http2/5.1.1/1, GOAWAY PROTOCOL_ERROR",
    "http2/5.1.1/2, GOAWAY PROTOCOL_ERROR",
    "http2/5.1.2/1, RST_STREAM 201 REFUSED_STREAM",
    "http2/5.3.1/1, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/5.3.1/2, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/5.4.1/1, GOAWAY FRAME_SIZE_ERROR; CLOSED",
    "http2/5.4.1/2, GOAWAY FRAME_SIZE_ERROR",
    "http2/5.5/1, PING_ACK",
    "http2/5.5/2, GOAWAY PROTOCOL_ERROR",
    // §6 each frame type's rules
    "http2/6.1/1, GOAWAY PROTOCOL_ERROR",
    "http2/6.1/2, RST_STREAM 1 STREAM_CLOSED",
    "http2/6.1/3, GOAWAY PROTOCOL_ERROR",
    "http2/6.2/1, GOAWAY PROTOCOL_ERROR",
    "http2/6.2/2, GOAWAY PROTOCOL_ERROR",
    "http2/6.2/3, GOAWAY PROTOCOL_ERROR",
    "http2/6.2/4, GOAWAY PROTOCOL_ERROR",
    "http2/6.3/1, GOAWAY PROTOCOL_ERROR",
    "http2/6.3/2, RST_STREAM 1 FRAME_SIZE_ERROR",
    "http2/6.4/1, GOAWAY PROTOCOL_ERROR",
    "http2/6.4/2, GOAWAY PROTOCOL_ERROR",
    "http2/6.4/3, GOAWAY FRAME_SIZE_ERROR",
    "http2/6.5/1, GOAWAY FRAME_SIZE_ERROR",
    "http2/6.5/2, GOAWAY PROTOCOL_ERROR",
    "http2/6.5/3, GOAWAY FRAME_SIZE_ERROR",
    "http2/6.5.2/1, GOAWAY PROTOCOL_ERROR",
    "http2/6.5.2/2, GOAWAY FLOW_CONTROL_ERROR",
    "http2/6.5.2/3, GOAWAY PROTOCOL_ERROR",
    "http2/6.5.2/4, GOAWAY PROTOCOL_ERROR",
    "http2/6.5.2/5, PING_ACK",
    "http2/6.5.3/1, HEADERS 1 200; DATA 1 1",
    "http2/6.5.3/2, SETTINGS_ACK; SETTINGS_ACK; PING_ACK",
    "http2/6.7/1, PING_ACK",
    "http2/6.7/2, !PING_ACK other; PING_ACK",
    "http2/6.7/3, GOAWAY PROTOCOL_ERROR",
    "http2/6.7/4, GOAWAY FRAME_SIZE_ERROR",
    "http2/6.8/1, GOAWAY PROTOCOL_ERROR",
    "http2/6.9/1, GOAWAY PROTOCOL_ERROR",
    "http2/6.9/2, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/6.9/3, GOAWAY FRAME_SIZE_ERROR",
    // §6.9.1, §6.9.2 flow control: windows of 1, overflow, SETTINGS_INITIAL_WINDOW_SIZE changes
    "http2/6.9.1/1, HEADERS 1 200; DATA 1 1",
    "http2/6.9.1/2, GOAWAY FLOW_CONTROL_ERROR",
    "http2/6.9.1/3, RST_STREAM 1 FLOW_CONTROL_ERROR",
    "http2/6.9.2/1, DATA 1 1",
    "http2/6.9.2/2, DATA 1 3; DATA 1 1",
    "http2/6.9.2/3, GOAWAY FLOW_CONTROL_ERROR",
    // §6.10 CONTINUATION
    "http2/6.10/1, HEADERS 1 200",
    "http2/6.10/2, GOAWAY PROTOCOL_ERROR",
    "http2/6.10/3, GOAWAY PROTOCOL_ERROR",
    "http2/6.10/4, GOAWAY PROTOCOL_ERROR",
    "http2/6.10/5, GOAWAY PROTOCOL_ERROR",
    "http2/6.10/6, GOAWAY PROTOCOL_ERROR",
    // §7 unknown error codes, §8 HTTP semantics, §8.2 push
    "http2/7/1, PING_ACK",
    "http2/7/2, PING_ACK",
    "http2/8.1/1, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2/1, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.1/1, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.1/2, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.1/3, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.1/4, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.2/1, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.2/2, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.3/1, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.3/2, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.3/3, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.3/4, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.3/5, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.3/6, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.3/7, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.6/1, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.1.2.6/2, RST_STREAM 1 PROTOCOL_ERROR",
    "http2/8.2/1, GOAWAY PROTOCOL_ERROR",
    // hpack: RFC 7541 errors are connection errors COMPRESSION_ERROR (RFC 9113 §4.3)
    "hpack/2.3.3/1, GOAWAY COMPRESSION_ERROR",
    "hpack/2.3.3/2, GOAWAY COMPRESSION_ERROR",
    "hpack/4.2/1, GOAWAY COMPRESSION_ERROR",
    "hpack/5.2/1, GOAWAY COMPRESSION_ERROR",
    "hpack/5.2/2, GOAWAY COMPRESSION_ERROR",
    "hpack/5.2/3, GOAWAY COMPRESSION_ERROR",
    "hpack/6.1/1, GOAWAY COMPRESSION_ERROR",
    "hpack/6.3/1, GOAWAY COMPRESSION_ERROR",
  })
  void answersAsH2specExpects(String id, String expected) throws Exception {
    List<String> wanted = new ArrayList<>();
    List<String> unwanted = new ArrayList<>();
    for (String line : expected.split(";")) {
      String item = line.strip();
      (item.startsWith("!") ? unwanted : wanted).add(item.replaceFirst("^!", ""));
    }
    List<String> out = run(id, wanted.getLast());
    assertThat(out).as("what the server answered to " + id).containsSubsequence(wanted);
    for (String line : unwanted) {
      assertThat(out).as("what the server answered to " + id).doesNotContain(line);
    }
    assertHonestClientServed();
  }

  @Test
  void everyCaseOfTheScriptHasARow() throws Exception {
    var listed = ExternalProcess.run(WAIT, "/usr/bin/python3", script().toString(), "list");
    var rows =
        Arrays.stream(
                getClass()
                    .getDeclaredMethod("answersAsH2specExpects", String.class, String.class)
                    .getAnnotation(CsvSource.class)
                    .value())
            .map(row -> row.substring(0, row.indexOf(',')))
            .toList();
    assertThat(rows).containsExactlyInAnyOrderElementsOf(listed.out().lines().toList());
  }

  private List<String> run(String id, String stopLine) throws Exception {
    var result =
        ExternalProcess.run(
            WAIT,
            "/usr/bin/python3",
            script().toString(),
            "127.0.0.1",
            Integer.toString(server.port()),
            id,
            stopLine);
    assertThat(result.err()).as("the peer's errors").isEmpty();
    return result.out().lines().toList();
  }

  private Path script() throws Exception {
    return Path.of(getClass().getResource("/h2/h2spec_cases.py").toURI());
  }

  private void assertHonestClientServed() throws Exception {
    var curl =
        ExternalProcess.run(
            WAIT,
            "curl",
            "-sS",
            "--max-time",
            "10",
            "--http2-prior-knowledge",
            "http://127.0.0.1:" + server.port() + "/hello");
    assertThat(curl.out()).as(curl.err()).isEqualTo("hello\n");
  }
}
