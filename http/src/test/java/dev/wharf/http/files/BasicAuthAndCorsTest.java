package dev.wharf.http.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.wharf.http.server.Handler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link BasicAuth} and {@link Cors} accept as configuration; no server. */
class BasicAuthAndCorsTest {
  private static final Handler NOTHING = (request, response) -> response.end();

  @Test
  void credentialsSplitAtTheFirstColon() {
    assertThat(BasicAuth.Credentials.parse("ann:a:b"))
        .isEqualTo(new BasicAuth.Credentials("ann", "a:b"));
    assertThat(BasicAuth.Credentials.parse("ann:")).isEqualTo(new BasicAuth.Credentials("ann", ""));
  }

  @Test
  void badCredentialsAreRefusedWithoutRepeatingThePassword() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> BasicAuth.Credentials.parse("annsecret"))
        .withMessage("credentials are USER:PASSWORD; found no colon");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> BasicAuth.Credentials.parse(":secret"))
        .withMessageNotContaining("secret");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> BasicAuth.Credentials.parse("ann:sec\nret"))
        .withMessageNotContaining("sec");
    assertThat(new BasicAuth.Credentials("ann", "secret").toString()).doesNotContain("secret");
  }

  @Test
  void aRealmCannotBreakOutOfItsQuotes() {
    var ann = new BasicAuth.Credentials("ann", "x");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> BasicAuth.protect("a\", b=\"c", ann, NOTHING));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> BasicAuth.protect("a\r\nb", ann, NOTHING));
  }

  @Test
  void originsAreStarNullOrSchemeHostPort() {
    assertThat(Cors.checkOrigin("*")).isEqualTo("*");
    assertThat(Cors.checkOrigin("null")).isEqualTo("null");
    assertThat(Cors.checkOrigin("https://example.com")).isEqualTo("https://example.com");
    assertThat(Cors.checkOrigin("http://[::1]:8080")).isEqualTo("http://[::1]:8080");
    for (String bad :
        List.of(
            "www",
            "/srv/www",
            "example.com",
            "https://example.com/",
            "https://example.com/app",
            "https://user@example.com",
            "https://example.com?x",
            "https://example.com\r\nSet-Cookie: a=b",
            "")) {
      assertThatIllegalArgumentException()
          .as(bad)
          .isThrownBy(() -> Cors.checkOrigin(bad))
          .withMessageStartingWith("not an origin: ");
    }
  }

  @Test
  void methodsMustBeTokens() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Cors.allow("*", List.of("GET", "BAD METHOD"), NOTHING));
    assertThatIllegalArgumentException().isThrownBy(() -> Cors.allow("*", List.of(), NOTHING));
  }
}
