package dev.wharf.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens on embedded connections: the connect request, the token query parameter, the refusals with
 * their close codes, and the deadlines (a token in time, a grant that expires), on a fake clock
 * that both the loop's timers and the token checks read.
 */
class ChannelsAuthTest {
  private static final Instant START = Instant.parse("2026-12-03T12:00:00Z");
  private final FakeClock clock = new FakeClock();
  private final long origin = clock.nanoTime();
  private final InstantSource wallClock = () -> START.plusNanos(clock.nanoTime() - origin);
  private final EventLoopGroup unused = new EventLoopGroup(1, "channels-auth-test-unused", true);
  private final JwtVerifier verifier =
      JwtVerifier.builder().hs256(Tokens.SECRET).clock(wallClock).clockSkew(Duration.ZERO).build();
  private Channels channels =
      Channels.create(
          ChannelsConfig.builder().tokenVerifier(verifier).clock(wallClock).build(),
          new InMemoryBroker(InMemoryBroker.HistoryPolicy.DEFAULTS, clock::nanoTime));

  @AfterEach
  void stop() {
    unused.close();
  }

  private EmbeddedClient client() {
    return EmbeddedClient.connect(unused, clock, channels);
  }

  private static String token(String user, Duration lifetime) {
    return Tokens.hs256(
        Tokens.claims(user, List.of("chat:*"), List.of("chat:lobby"), START.plus(lifetime))
            .build());
  }

  private static String connect(int id, String token) {
    return "{\"op\":\"connect\",\"id\":" + id + ",\"token\":\"" + token + "\"}";
  }

  @Test
  void aTokenInTheConnectRequestNamesTheUserAndItsPatternsAreEnforced() {
    var alice = client();
    alice.send(connect(0, token("alice", Duration.ofHours(1))));
    assertThat(alice.received())
        .singleElement()
        .asString()
        .matches("\\{\"id\":0,\"ok\":true,\"client\":\"[-0-9a-f]{36}\",\"user\":\"alice\"}");
    alice.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"chat:lobby\"}");
    alice.send("{\"op\":\"subscribe\",\"id\":2,\"channel\":\"news\"}");
    alice.send("{\"op\":\"publish\",\"id\":3,\"channel\":\"chat:other\",\"data\":1}");
    alice.send("{\"op\":\"presence\",\"id\":4,\"channel\":\"chat:lobby\"}");
    List<String> replies = alice.received();
    assertThat(replies.get(0)).startsWith("{\"id\":1,\"ok\":true,");
    assertThat(replies.subList(1, 3))
        .containsExactly(
            "{\"id\":2,\"error\":{\"code\":\"unauthorized\",\"message\":\"not allowed on news\"}}",
            "{\"id\":3,\"error\":{\"code\":\"unauthorized\",\"message\":\"not allowed on chat:other\"}}");
    assertThat(replies.get(3)).contains("\"user\":\"alice\"");
  }

  @Test
  void aRequestBeforeConnectIsRefusedWith4001() {
    var anonymous = client();
    anonymous.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"chat:lobby\"}");
    assertThat(anonymous.received())
        .containsExactly(
            "{\"id\":1,\"error\":{\"code\":\"unauthorized\",\"message\":\"this server needs a token:"
                + " send {\\\"op\\\":\\\"connect\\\",\\\"id\\\":...,\\\"token\\\":\\\"<JWT>\\\"}"
                + " first\"}}",
            "close 4001 unauthorized");
  }

  @Test
  void aForgedTokenIsRefusedWith4001AndAnExpiredOneWith4002() {
    var forger = client();
    String forged =
        Tokens.hs256(
            "not the server's secret, but long enough".getBytes(),
            Tokens.claims("mallory", List.of("*"), List.of("*"), START.plusSeconds(60)).build());
    forger.send(connect(0, forged));
    assertThat(forger.received())
        .containsExactly(
            "{\"id\":0,\"error\":{\"code\":\"unauthorized\",\"message\":\"the token's signature"
                + " does not match: forged, or signed with another key\"}}",
            "close 4001 unauthorized");

    var late = client();
    late.send(connect(0, token("bob", Duration.ofSeconds(-1))));
    assertThat(late.received())
        .containsExactly(
            "{\"id\":0,\"error\":{\"code\":\"token_expired\",\"message\":\"the token expired at"
                + " 2026-12-03T11:59:59Z\"}}",
            "close 4002 token expired");
  }

  @Test
  void theTokenQueryParameterAdmitsAtTheUpgradeOrRefusesAtOnce() {
    var bob =
        EmbeddedClient.connect(
            unused,
            clock,
            channels,
            Channels.PATH + "?x=1&token=" + token("bob", Duration.ofHours(1)));
    bob.send("{\"op\":\"publish\",\"id\":1,\"channel\":\"chat:lobby\",\"data\":\"hi\"}");
    assertThat(bob.received()).singleElement().asString().startsWith("{\"id\":1,\"ok\":true,");

    var forged = EmbeddedClient.connect(unused, clock, channels, Channels.PATH + "?token=abc");
    assertThat(forged.received())
        .containsExactly(
            "{\"error\":{\"code\":\"unauthorized\",\"message\":\"not a JWT (three base64url parts"
                + " joined by dots)\"}}",
            "close 4001 unauthorized");
  }

  @Test
  void aConnectionWithoutATokenIsClosedAfterTheConnectTimeout() {
    var idle = client();
    clock.advance(Duration.ofSeconds(9));
    assertThat(idle.received()).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    assertThat(idle.received())
        .containsExactly(
            "{\"error\":{\"code\":\"unauthorized\",\"message\":\"no connect with a token within 10"
                + " s\"}}",
            "close 4001 unauthorized");
  }

  @Test
  void aConnectionIsClosedWith4002WhenItsTokenExpires() {
    var alice = client();
    alice.send(connect(0, token("alice", Duration.ofSeconds(20))));
    alice.send("{\"op\":\"subscribe\",\"id\":1,\"channel\":\"chat:lobby\"}");
    assertThat(alice.received()).hasSize(2);
    clock.advance(Duration.ofSeconds(20).minusMillis(10));
    assertThat(alice.received()).isEmpty();
    clock.advance(Duration.ofMillis(20));
    assertThat(alice.received())
        .containsExactly(
            "{\"error\":{\"code\":\"token_expired\",\"message\":\"the token expired at"
                + " 2026-12-03T12:00:20Z; connect with a fresh one\"}}",
            "close 4002 token expired");
  }

  @Test
  void withoutAVerifierConnectIsOptionalAndTakesNoToken() {
    channels =
        Channels.create(
            ChannelsConfig.DEFAULTS,
            new InMemoryBroker(InMemoryBroker.HistoryPolicy.DEFAULTS, clock::nanoTime));
    var local = client();
    local.send("{\"op\":\"connect\",\"id\":0}");
    local.send("{\"op\":\"connect\",\"id\":1}");
    assertThat(local.received())
        .satisfiesExactly(
            first ->
                assertThat(first).startsWith("{\"id\":0,\"ok\":true,").endsWith("\"user\":\"\"}"),
            second ->
                assertThat(second)
                    .isEqualTo(
                        "{\"id\":1,\"error\":{\"code\":\"bad_request\",\"message\":\"connect must be"
                            + " the connection's first request, once\"}}"));
    var withToken = client();
    withToken.send(connect(0, token("alice", Duration.ofHours(1))));
    assertThat(withToken.received())
        .containsExactly(
            "{\"id\":0,\"error\":{\"code\":\"bad_request\",\"message\":\"this server checks no"
                + " tokens (no JWT key configured)\"}}");
  }
}
