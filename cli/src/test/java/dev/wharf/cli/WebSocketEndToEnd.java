package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the WebSocket end-to-end tests share: python3-websockets (Debian's, under /usr/bin/python3)
 * as the peer through the websocket module's {@code websockets_peer.py}, {@code wharf serve} on a
 * free port, and JSON lines read back by Python's own json module.
 */
public abstract class WebSocketEndToEnd extends EndToEnd {
  public static final Path NULL = Path.of("/dev/null");

  /**
   * The websocket module's python3-websockets peer: one script for both modules' tests, reached by
   * path as ServeWebSocketIT reaches autobahn_cases.py (tests run in the module's directory).
   */
  public static Path script() {
    return Path.of("../websocket/src/test/python/websockets_peer.py").toAbsolutePath().normalize();
  }

  /** Runs {@code websockets_peer.py args}, its stdout to {@code out}. */
  protected Child python(Path out, String... args) throws Exception {
    var command = new ArrayList<>(List.of("/usr/bin/python3", "-u", script().toString()));
    command.addAll(List.of(args));
    return peer(null, out, command.toArray(String[]::new));
  }

  /** Starts the python3-websockets server and returns its port. */
  protected int pythonServer() throws Exception {
    Path out = dir.resolve("python-server.out");
    python(out, "server");
    return Integer.parseInt(EndToEnd.awaitMatch(out, Pattern.compile("PORT\t(\\d+)")));
  }

  /** Starts {@code wharf serve root extra...} on 127.0.0.1 and returns its port. */
  protected int serve(Path root, String... extra) throws Exception {
    return serveOnLoopback(dir.resolve("serve.out"), Map.of(), root, extra);
  }

  /**
   * Each line of a JSON-lines file, parsed by Python's json module (so a malformed line fails the
   * test) and printed back canonically: keys sorted, no spaces, non-ASCII as it is.
   */
  protected static List<String> parsedJsonLines(Path file) throws Exception {
    var python =
        ExternalProcess.command(
                "/usr/bin/python3",
                "-c",
                "import json, sys\n"
                    + "for line in open(sys.argv[1], encoding='utf-8'):\n"
                    + "    print(json.dumps(json.loads(line), sort_keys=True,"
                    + " separators=(',', ':'), ensure_ascii=False))\n",
                file.toString())
            .mergeErrors()
            .run(Duration.ofSeconds(30));
    assertThat(python.exit()).as("json.loads of %s: %s", file, python.out()).isZero();
    return python.out().lines().toList();
  }

  protected static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
