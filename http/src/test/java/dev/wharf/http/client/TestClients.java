package dev.wharf.http.client;

import dev.wharf.core.EventLoopGroup;
import dev.wharf.core.tls.TlsClientConfig;
import dev.wharf.core.tls.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;

/** Clients for tests against servers whose certificates come from the test's own CA. */
public final class TestClients {
  private TestClients() {}

  /**
   * A client builder on {@code group} that speaks {@code version} (offered by ALPN over TLS) and
   * trusts only the CA certificate in {@code caCert}; callers add their own limits and build.
   */
  public static HttpClient.Builder trustingTestCa(
      EventLoopGroup group, HttpClient.Version version, Path caCert) throws IOException {
    return HttpClient.builder()
        .group(group)
        .version(version)
        .tls(
            TlsClientConfig.builder()
                .trust(TlsTrust.fromPem(caCert))
                .alpn(HttpClient.alpn(version))
                .build());
  }
}
