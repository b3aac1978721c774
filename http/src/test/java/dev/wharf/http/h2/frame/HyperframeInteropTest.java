package dev.wharf.http.h2.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.Feed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Our frames against a peer nobody here wrote: Python's hyperframe (Debian's python3-hyperframe,
 * which python3-h2 uses) serializes frames, padding, priority and CONTINUATION included, that our
 * decoder reads under every feed, and parses the frames our encoder writes back into the
 * descriptions they were written from.
 */
class HyperframeInteropTest {
  private static final Path SCRIPT = Path.of("src/test/python/h2_frames.py");
  private static final HexFormat HEX = HexFormat.of();

  /** Frames our encoder cannot write but a peer may send: padding on HEADERS without priority. */
  private static final List<String> PEER_ONLY =
      List.of(
          "HEADERS 1 0 0 -1 0 16 8287",
          "HEADERS 3 1 200 -1 0 16 " + "ab".repeat(300),
          "DATA 5 1 255 -",
          "PING 1 ffffffffffffffff",
          "GOAWAY 2147483647 13 -");

  @Test
  void whatHyperframeSerializesWeDecode() throws IOException {
    for (long seed = 1; seed <= 3; seed++) {
      List<String> specs =
          Stream.concat(FrameSpecs.random(seed, 80).stream(), PEER_ONLY.stream()).toList();
      // Blocks continue after 4000 bytes, so CONTINUATION frames are common.
      List<String> wire = python(specs, "serialize", "4000");
      assertThat(wire).hasSize(specs.size());
      byte[] all = HEX.parseHex(String.join("", wire));
      List<Frame> expected = specs.stream().map(FrameSpecs::expected).toList();
      for (Feed feed : Feed.values()) {
        assertThat(Http2FrameDecoderTest.decode(all, feed))
            .as("%s, seed %d", feed, seed)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void whatWeEncodeHyperframeParses() throws IOException {
    for (long seed = 11; seed <= 13; seed++) {
      List<String> specs = FrameSpecs.random(seed, 80);
      var encoder = new Http2FrameEncoder();
      List<String> wire =
          specs.stream()
              .map(spec -> HEX.formatHex(Http2FrameEncoderTest.encode(List.of(spec), encoder)))
              .toList();
      assertThat(python(wire, "parse")).as("seed %d", seed).isEqualTo(specs);
    }
  }

  private static List<String> python(List<String> lines, String... args) throws IOException {
    Path in = Files.createTempFile("wharf-h2-frames", ".in");
    try {
      Files.write(in, lines);
      var command = new java.util.ArrayList<>(List.of("/usr/bin/python3", SCRIPT.toString()));
      command.addAll(List.of(args));
      var python = ExternalProcess.command(command).input(in).run(Duration.ofSeconds(60));
      assertThat(python.exit()).as("python stderr: %s", python.err()).isZero();
      return python.out().lines().toList();
    } finally {
      Files.deleteIfExists(in);
    }
  }
}
