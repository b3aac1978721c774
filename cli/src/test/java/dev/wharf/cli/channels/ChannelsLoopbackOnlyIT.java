package dev.wharf.cli.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import dev.wharf.cli.Main;
import dev.wharf.testkit.ExternalProcess;
import dev.wharf.testkit.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's "without a configured JWT key, channels serve loopback clients only and say so at
 * start-up", across a real link: {@code wharf serve --channels} bound to 0.0.0.0 in one namespace
 * of a veth pair the test makes, curl upgrading from the other namespace (another machine, as far
 * as the server can tell) and python3-websockets from the server's own loopback. Needs root (CI
 * runs as root) for the named namespaces.
 */
@Timeout(180)
class ChannelsLoopbackOnlyIT extends EndToEnd {
  private static final Duration SLOW = Duration.ofSeconds(60);

  @Test
  void withoutAJwtKeyAClientFromAnotherMachineIs403WithTheReasonAndLoopbackStillWorks()
      throws Exception {
    try (var pair = VethPair.create("wcl", List.of("10.79.0.1/24"), List.of("10.79.0.2/24"))) {
      try {
        Path out = dir.resolve("serve.out");
        var command = new ArrayList<>(pair.inHere());
        command.addAll(Child.javaCommand(Main.class));
        command.addAll(
            List.of(
                "serve",
                dir.toString(),
                "--bind",
                "0.0.0.0",
                "--port",
                "0",
                "--channels",
                "--quiet"));
        Child serve = peer(null, out, command.toArray(String[]::new));
        String port =
            awaitMatch(out, Pattern.compile("Channels on ws://0\\.0\\.0\\.0:(\\d+)/ws/channels"));
        serve.awaitErr(
            "^wharf serve: channels: no JWT key configured: only clients on this machine"
                + " \\(loopback\\) may connect$");

        // From the other end of the link: a well-formed upgrade, refused with the reason.
        var refused =
            ExternalProcess.command(
                    List.of(
                        "ip",
                        "netns",
                        "exec",
                        pair.there(),
                        "curl",
                        "-sS",
                        "-i",
                        "-m",
                        "30",
                        "-H",
                        "Connection: Upgrade",
                        "-H",
                        "Upgrade: websocket",
                        "-H",
                        "Sec-WebSocket-Version: 13",
                        "-H",
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                        "http://10.79.0.1:" + port + "/ws/channels"))
                .run(SLOW);
        assertThat(refused.exit()).as("curl: %s", refused.err()).isZero();
        String answer = refused.out();
        assertThat(answer).startsWith("HTTP/1.1 403 Forbidden\r\n").doesNotContain("Upgrade:");
        assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4))
            .isEqualTo(
                "403 Forbidden: no JWT key is configured, so only clients on this machine"
                    + " (loopback) may connect\n");

        // On the server's own loopback, a real client publishes.
        Path script = Path.of(getClass().getResource("/channels_peer.py").toURI());
        var pubCommand = new ArrayList<>(pair.inHere());
        pubCommand.addAll(
            List.of(
                "/usr/bin/python3",
                "-u",
                script.toString(),
                "publisher",
                "ws://127.0.0.1:" + port + "/ws/channels",
                "news",
                "1",
                "2"));
        Path pubOut = dir.resolve("pub.out");
        Child publisher = peer(null, pubOut, pubCommand.toArray(String[]::new));
        assertThat(publisher.awaitExit(SLOW)).as("publisher: %s", publisher.errLines()).isZero();
        assertThat(Files.readString(pubOut)).isEqualTo("published 2\n");
      } finally {
        endChildren(); // before the namespace goes: nothing of the test is left in it
      }
    }
  }
}
