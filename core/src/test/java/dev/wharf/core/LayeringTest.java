package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering the packages promise, read from the sources of the whole project (a source scan: no
 * bytecode tool in core): the transport knows nothing of TLS, which is one layer over it, and a
 * codec knows nothing of the code that uses it. Imports and qualified names in code both count;
 * comments do not.
 */
class LayeringTest {
  private static final Path ROOT = projectRoot();

  @Test
  void theTransportImportsNothingOfTls() {
    assertThat(
            referencesUnder(
                ROOT.resolve("core/src/main/java/dev/wharf/core"),
                "tls/",
                Pattern.compile("\\bdev\\.wharf\\.core\\.tls\\b")))
        .as("files of dev.wharf.core (and its sub-packages but tls) naming dev.wharf.core.tls")
        .isEmpty();
  }

  @Test
  void theHttpCodecImportsNothingOfTheLayersAboveIt() {
    // dev.wharf.http itself is the model (headers, status, heads) that the codec reads into.
    assertThat(
            referencesUnder(
                ROOT.resolve("http/src/main/java/dev/wharf/http/codec"),
                null,
                Pattern.compile("\\bdev\\.wharf\\.http\\.(server|client|files)\\b")))
        .as("files of dev.wharf.http.codec naming the server, the client or files")
        .isEmpty();
  }

  @Test
  void theHttp2FrameCodecImportsNothingOfWharfButItself() {
    // The lowest layer of HTTP/2: HPACK, the stream rules and the connection build on it.
    assertThat(
            referencesUnder(
                ROOT.resolve("http/src/main/java/dev/wharf/http/h2/frame"),
                null,
                Pattern.compile("\\bdev\\.wharf\\.(?!http\\.h2\\.frame\\b)\\w+")))
        .as("files of dev.wharf.http.h2.frame naming other Wharf packages")
        .isEmpty();
  }

  @Test
  void theWebSocketCodecImportsNothingOfItsParent() {
    assertThat(
            referencesUnder(
                ROOT.resolve("websocket/src/main/java/dev/wharf/websocket/codec"),
                null,
                Pattern.compile("\\bdev\\.wharf\\.websocket\\.(?!codec\\b)\\w+")))
        .as("files of dev.wharf.websocket.codec naming dev.wharf.websocket")
        .isEmpty();
  }

  @Test
  void theDnsCodecDoesNoIoStartsNoThreadAndReadsNoClock() {
    // core's Addresses is allowed: pure text functions (the one IPv6 formatter), no engine.
    assertThat(
            referencesUnder(
                ROOT.resolve("dns/src/main/java/dev/wharf/dns/codec"),
                null,
                Pattern.compile(
                    "\\bdev\\.wharf\\.(?!dns\\.codec\\b|core\\.Addresses\\b)\\w+|\\bjava\\.nio\\.channels\\b"
                        + "|\\bThread\\b|\\bnanoTime\\b|\\bcurrentTimeMillis\\b|\\bClock\\b")))
        .as("files of dev.wharf.dns.codec naming the engine, channels, threads or clocks")
        .isEmpty();
  }

  @Test
  void theChannelsCodecDoesNoIoAndKnowsNoSession() {
    // dev.wharf.channels itself holds the values the codec writes (Publication, positions).
    assertThat(
            referencesUnder(
                ROOT.resolve("channels/src/main/java/dev/wharf/channels/protocol"),
                null,
                Pattern.compile(
                    "\\bdev\\.wharf\\.(channels\\.internal|websocket|http|core)\\b|\\bjava\\.nio\\.channels\\b")))
        .as("files of dev.wharf.channels.protocol naming sessions, sockets or the transport")
        .isEmpty();
  }

  @Test
  void thePacketDecodersDoNoIoCallNoNativeCodeAndReadNoClock() {
    // Fed with captures and fuzz alike: bytes in, layers out, nothing else (house style: a codec).
    assertThat(
            referencesUnder(
                ROOT.resolve("packets/src/main/java/dev/wharf/packets/decode"),
                null,
                Pattern.compile(
                    "\\bdev\\.wharf\\.(?!packets\\.(decode|AddressText)\\b)[\\w.]+|\\bjava\\.nio\\.channels\\b"
                        + "|\\bjava\\.lang\\.foreign\\b|\\bThread\\b|\\bnanoTime\\b"
                        + "|\\bcurrentTimeMillis\\b|\\bClock\\b")))
        .as("files of dev.wharf.packets.decode naming I/O, native code, threads or clocks")
        .isEmpty();
  }

  @Test
  void hpackIsACodecOfTheJdkOnly() {
    // No other Wharf package, and no channel: HPACK does no I/O (house style: a codec).
    assertThat(
            referencesUnder(
                ROOT.resolve("http/src/main/java/dev/wharf/http/h2/hpack"),
                null,
                Pattern.compile(
                    "\\bdev\\.wharf\\.(?!http\\.h2\\.hpack\\b)[\\w.]+|\\bjava\\.nio\\.channels\\b")))
        .as("files of dev.wharf.http.h2.hpack naming another Wharf package or java.nio.channels")
        .isEmpty();
  }

  @Test
  void theLoadEngineNamesNoOtherWharfModuleButHttp2sCodecs() {
    // wharf bench's engine runs its own selectors: it stays free of core, http's server and
    // client, and websocket, so that it loads nothing of the servers it measures, and bench can
    // share its wire pieces. HTTP/2's frame and HPACK codecs (I/O-free, as the tests above and
    // below hold) are the exception: --http2 speaks the protocol with them.
    assertThat(
            referencesUnder(
                ROOT.resolve("load/src/main/java/dev/wharf/load"),
                null,
                Pattern.compile(
                    "\\bdev\\.wharf\\.(?!load\\b|http\\.h2\\.frame\\b|http\\.h2\\.hpack\\b)[\\w.]+")))
        .as("files of dev.wharf.load naming another Wharf module than HTTP/2's codecs")
        .isEmpty();
  }

  @Test
  void http2FramesAreACodecOfTheJdkOnly() {
    // What the load engine may take of http: no other Wharf package, and no channel.
    assertThat(
            referencesUnder(
                ROOT.resolve("http/src/main/java/dev/wharf/http/h2/frame"),
                null,
                Pattern.compile(
                    "\\bdev\\.wharf\\.(?!http\\.h2\\.frame\\b)[\\w.]+|\\bjava\\.nio\\.channels\\b")))
        .as("files of dev.wharf.http.h2.frame naming another Wharf package or java.nio.channels")
        .isEmpty();
  }

  /** Each {@code file: reference} under {@code directory} (but under {@code exceptUnder}). */
  private static List<String> referencesUnder(Path directory, String exceptUnder, Pattern banned) {
    assertThat(directory).isDirectory();
    var found = new ArrayList<String>();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String relative = directory.relativize(file).toString().replace('\\', '/');
        if (exceptUnder != null && relative.startsWith(exceptUnder)) {
          continue;
        }
        Matcher matcher = banned.matcher(code(Files.readString(file)));
        while (matcher.find()) {
          found.add(ROOT.relativize(file) + ": " + matcher.group());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  /** The source without its comments, so prose may name any package. */
  private static String code(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)^\\s*//.*$", "");
  }

  /** The directory holding the Maven wrapper, above the module the test runs in. */
  private static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
