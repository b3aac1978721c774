package dev.wharf.http.h2.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.tls.TlsSession;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsRequirementsTest {
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "TLSv1.3, TLS_AES_128_GCM_SHA256, true",
    "TLSv1.3, TLS_CHACHA20_POLY1305_SHA256, true",
    "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, true",
    "TLSv1.2, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, true",
    "TLSv1.2, TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, true",
    // RFC 9113 Appendix A: no ephemeral key exchange, or no AEAD cipher
    "TLSv1.2, TLS_RSA_WITH_AES_128_GCM_SHA256, false",
    "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, false",
    "TLSv1.2, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, false",
    "TLSv1.2, TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256, false",
    "TLSv1.2, TLS_ECDHE_RSA_WITH_NULL_SHA, false",
    // §9.2: TLS 1.2 or later
    "TLSv1.1, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, false",
    "TLSv1, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, false",
  })
  void http2NeedsTls12WithAnEphemeralAeadSuite(String protocol, String suite, boolean adequate) {
    var session =
        new TlsSession(
            protocol,
            suite,
            Optional.of("h2"),
            Optional.empty(),
            List.of(),
            List.of(),
            Duration.ZERO);
    assertThat(TlsRequirements.shortfall(session).isEmpty()).isEqualTo(adequate);
  }
}
