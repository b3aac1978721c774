package dev.wharf.cli.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.cli.Child;
import dev.wharf.cli.EndToEnd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wharf serve --channels} with a JWT key, and tokens made by a library nobody here wrote
 * (PyJWT, Debian's python3-jwt, through {@code channels_jwt.py}): {@code wharf sub} and {@code pub}
 * connect with them; forged, expired and too narrow tokens are refused with one line; a python
 * client with {@code ?token=} sees the close code. Tokens made by nimbus-jose-jwt are the channels
 * module's tests (JwtVerifierTest, ChannelsAuthTest).
 */
@Timeout(180)
class ChannelsAuthIT extends EndToEnd {
  private static final Duration SLOW = Duration.ofSeconds(60);
  private static final String SECRET = "the shared secret of this test, 32 bytes at least";
  private static final Map<String, String> SECRET_ENV = Map.of("CHANNELS_SECRET", SECRET);

  private Path script() throws Exception {
    return Path.of(ChannelsAuthIT.class.getResource("/channels_jwt.py").toURI());
  }

  private Child python(Path out, String... args) throws Exception {
    var command = new ArrayList<>(List.of("/usr/bin/python3", "-u", script().toString()));
    command.addAll(List.of(args));
    return peer(null, out, command.toArray(String[]::new));
  }

  /** A token from PyJWT: {@code hs256} with the test's secret, or {@code rs256} with a key file. */
  private String token(String how, String user, String subscribe, String publish, long expiresIn)
      throws Exception {
    Path out = dir.resolve("token-" + System.nanoTime());
    Child child =
        peerWithEnv(
            out,
            "/usr/bin/python3",
            script().toString(),
            "token",
            how.startsWith("hs256") ? "hs256" : "rs256",
            how.equals("hs256") ? "CHANNELS_SECRET" : how.equals("hs256-other") ? "OTHER" : how,
            user,
            subscribe,
            publish,
            Long.toString(expiresIn));
    assertThat(child.awaitExit(SLOW)).as("PyJWT: %s", child.errLines()).isZero();
    return Files.readString(out, StandardCharsets.US_ASCII).strip();
  }

  private Child peerWithEnv(Path out, String... command) throws Exception {
    return peer(
        Map.of("CHANNELS_SECRET", SECRET, "OTHER", "not the server's secret, yet long enough"),
        null,
        out,
        command);
  }

  private String serve(Map<String, String> env, String... more) throws Exception {
    var args = new ArrayList<>(List.of("--channels", "--quiet"));
    args.addAll(List.of(more));
    Path out = dir.resolve("serve-" + System.nanoTime() + ".out");
    int port = serveOnLoopback(out, env, dir, args.toArray(String[]::new));
    return "ws://127.0.0.1:" + port + "/ws/channels";
  }

  @Test
  void subAndPubConnectWithPyJwtTokensAndRefusalsAreOneLine() throws Exception {
    String url = serve(SECRET_ENV, "--jwt-secret-env", "CHANNELS_SECRET");
    String alice = token("hs256", "alice", "chat:*", "chat:*", 3600);
    Path subOut = dir.resolve("sub.out");
    Child sub =
        wharf(
            Map.of("T", alice),
            null,
            subOut,
            "sub",
            "-v",
            "--token-env",
            "T",
            url,
            "chat:lobby",
            "-n",
            "1");
    sub.awaitErr("chat:lobby: subscribed at \\w+:0");
    Path pubOut = dir.resolve("pub.out");
    assertThat(
            wharf(
                    Map.of("T", alice),
                    null,
                    pubOut,
                    "pub",
                    "--token-env",
                    "T",
                    url,
                    "chat:lobby",
                    "hello")
                .awaitExit(SLOW))
        .isZero();
    assertThat(sub.awaitExit(SLOW)).isZero();
    assertThat(Files.readAllLines(subOut)).containsExactly("hello");

    Child narrow = wharf(null, pubOut, "pub", "--token", alice, url, "news", "x");
    narrow.assertExitsWith(1, "wharf pub: news: unauthorized: not allowed on news");

    String expired = token("hs256", "alice", "*", "*", -3600);
    Child late = wharf(null, pubOut, "pub", "--token", expired, url, "chat:lobby", "x");
    assertThat(late.awaitExit(SLOW)).isEqualTo(1);
    assertThat(late.errLines())
        .singleElement()
        .asString()
        .matches("wharf pub: chat:lobby: token_expired: the token expired at \\S+Z");

    String forged = token("hs256-other", "mallory", "*", "*", 3600);
    Child forger = wharf(null, pubOut, "pub", "--token", forged, url, "chat:lobby", "x");
    forger.assertExitsWith(
        1,
        "wharf pub: chat:lobby: unauthorized: the token's signature does not match: forged, or"
            + " signed with another key");

    Child noToken = wharf(null, dir.resolve("sub2.out"), "sub", url, "chat:lobby");
    assertThat(noToken.awaitExit(SLOW)).isEqualTo(1);
    assertThat(noToken.errLines())
        .singleElement()
        .asString()
        .startsWith("wharf sub: chat:lobby: unauthorized: this server needs a token");

    Child forgedSub = wharf(null, dir.resolve("sub3.out"), "sub", "--token", forged, url, "a");
    assertThat(forgedSub.awaitExit(SLOW)).isEqualTo(1);
    assertThat(forgedSub.errLines())
        .containsExactly(
            "wharf sub: unauthorized: the token's signature does not match: forged, or signed"
                + " with another key");
  }

  @Test
  void anRs256TokenInTheQueryAdmitsAndAForgedOneIsClosedWith4001() throws Exception {
    Path key = dir.resolve("key.pem");
    Path publicKey = dir.resolve("public.pem");
    assertThat(
            peer(
                    null,
                    dir.resolve("genpkey.out"),
                    "openssl",
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                    "-out",
                    key.toString())
                .awaitExit(SLOW))
        .isZero();
    assertThat(
            peer(
                    null,
                    dir.resolve("pubout.out"),
                    "openssl",
                    "pkey",
                    "-in",
                    key.toString(),
                    "-pubout",
                    "-out",
                    publicKey.toString())
                .awaitExit(SLOW))
        .isZero();
    Path serveOut = dir.resolve("serve.out");
    Child serve =
        wharf(
            null,
            serveOut,
            serveOnLoopbackArgs(dir, "--channels", "--jwt-public-key", publicKey.toString()));
    int port = servedPort(serveOut, "http");
    String url = "ws://127.0.0.1:" + port + "/ws/channels";
    serve.awaitErr("channels: clients connect with a JWT signed with RS256");

    String bob = token(key.toString(), "bob", "room:*", "-", 600);
    Path out = dir.resolve("query.out");
    assertThat(python(out, "query", url, bob, "room:1").awaitExit(SLOW)).isZero();
    assertThat(Files.readAllLines(out)).containsExactly("subscribed", "presence bob");
    // The access log shows the upgrade, not the token (a credential until it expires).
    serve.awaitErr("GET /ws/channels\\?token=\\(hidden\\) HTTP/1.1");
    assertThat(String.join("\n", serve.errLines())).doesNotContain(bob);

    // HS256 with the public key's PEM as the secret: the algorithm-confusion forgery, made by hand
    // (PyJWT itself refuses to use a PEM key as an HMAC secret).
    Path confusedOut = dir.resolve("confused.out");
    assertThat(
            peer(
                    null,
                    confusedOut,
                    "/usr/bin/python3",
                    "-c",
                    "import base64,hmac,hashlib,json,sys\n"
                        + "b=lambda d: base64.urlsafe_b64encode(d).rstrip(b'=')\n"
                        + "m=b(json.dumps({'alg':'HS256'}).encode())+b'.'"
                        + "+b(json.dumps({'sub':'eve','subscribe':['*']}).encode())\n"
                        + "k=open(sys.argv[1],'rb').read()\n"
                        + "print((m+b'.'+b(hmac.new(k,m,hashlib.sha256).digest())).decode())",
                    publicKey.toString())
                .awaitExit(SLOW))
        .isZero();
    String eve = Files.readString(confusedOut).strip();
    Path refusedOut = dir.resolve("refused.out");
    assertThat(python(refusedOut, "query", url, eve, "room:1").awaitExit(SLOW)).isZero();
    assertThat(Files.readAllLines(refusedOut))
        .containsExactly(
            "error unauthorized tokens signed with HS256 are not accepted (this server takes"
                + " RS256)",
            "closed 4001 unauthorized");
    Path garbageOut = dir.resolve("garbage.out");
    assertThat(python(garbageOut, "query", url, "abc.def.ghi", "room:1").awaitExit(SLOW)).isZero();
    assertThat(Files.readAllLines(garbageOut))
        .containsExactly(
            "error unauthorized not a JWT (three base64url parts joined by dots)",
            "closed 4001 unauthorized");
  }

  @Test
  void keysAreCheckedAtStartAndTheSecretIsNeverPrinted() throws Exception {
    Child unset =
        wharf(null, dir.resolve("o1"), "serve", "--channels", "--jwt-secret-env", "NO_SUCH_VAR");
    unset.assertExitsWith(
        2, "wharf serve: --jwt-secret-env: the environment variable NO_SUCH_VAR is not set");
    Child weak =
        wharf(
            Map.of("WEAK", "hunter2"),
            null,
            dir.resolve("o2"),
            "serve",
            "--channels",
            "--jwt-secret-env",
            "WEAK");
    weak.assertExitsWith(
        2, "wharf serve: --jwt-secret-env: the secret in WEAK is 7 bytes; HS256 needs at least 32");
    Child alone =
        wharf(SECRET_ENV, null, dir.resolve("o3"), "serve", "--jwt-secret-env", "CHANNELS_SECRET");
    alone.assertExitsWith(
        2, "wharf serve: --jwt-secret-env and --jwt-public-key go with --channels");
    Child missing =
        wharf(
            null,
            dir.resolve("o4"),
            "serve",
            "--channels",
            "--jwt-public-key",
            dir.resolve("none.pem").toString());
    missing.assertExitsWith(
        2,
        "wharf serve: --jwt-public-key: cannot read "
            + dir.resolve("none.pem")
            + ": NoSuchFileException");

    Path serveOut = dir.resolve("serve.out");
    Child serve =
        wharf(
            SECRET_ENV,
            null,
            serveOut,
            serveOnLoopbackArgs(dir, "--channels", "--jwt-secret-env", "CHANNELS_SECRET"));
    servedPort(serveOut, "http");
    serve.awaitErr("channels: clients connect with a JWT signed with HS256");
    assertThat(Files.readString(serveOut)).doesNotContain(SECRET);
    assertThat(String.join("\n", serve.errLines())).doesNotContain(SECRET);
  }
}
