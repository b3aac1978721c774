package dev.wharf.core.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Hands the JDK the certificate to show. A server picks by the name the client asked for (SNI): the
 * first identity whose explicit names or certificate names match it, exactly or by a {@code *.}
 * wildcard, else the first identity, the default. Each handshake also gives the identities a chance
 * to notice that their files changed.
 *
 * <p>An alias is {@code index:generation}, so the chain and the key the JDK fetches separately come
 * from the same version even if a reload lands between the two calls.
 */
final class IdentityKeyManager extends X509ExtendedKeyManager {

  /** An identity and the names it was registered for (empty: only its certificate's names). */
  record Entry(TlsIdentity identity, List<String> names) {}

  private final List<Entry> entries;

  IdentityKeyManager(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    String requested = requestedName(engine);
    int index = requested == null ? -1 : indexFor(requested);
    if (index < 0) {
      index = 0;
    }
    return aliasIfKeyFits(index, keyType);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    if (entries.isEmpty()) {
      return null;
    }
    for (String keyType : keyTypes) {
      String alias = aliasIfKeyFits(0, keyType);
      if (alias != null) {
        return alias;
      }
    }
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    TlsIdentity.Snapshot snapshot = snapshot(alias);
    return snapshot == null ? null : snapshot.chain().toArray(X509Certificate[]::new);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    TlsIdentity.Snapshot snapshot = snapshot(alias);
    return snapshot == null ? null : snapshot.key();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return entries.isEmpty() ? null : aliasIfKeyFits(0, keyType);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return chooseEngineClientAlias(keyTypes, issuers, null);
  }

  // ---- internals ----

  /** The first entry serving this host name, or -1. */
  private int indexFor(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      List<String> names =
          entry.names().isEmpty() ? entry.identity().current().names() : entry.names();
      for (String pattern : names) {
        if (matches(pattern, name)) {
          return i;
        }
      }
    }
    return -1;
  }

  /** An exact name, or {@code *.example.com} for exactly one label before example.com. */
  static boolean matches(String pattern, String name) {
    if (pattern.startsWith("*.")) {
      int dot = name.indexOf('.');
      return dot > 0 && name.substring(dot + 1).equals(pattern.substring(2));
    }
    return pattern.equals(name);
  }

  private String aliasIfKeyFits(int index, String keyType) {
    TlsIdentity identity = entries.get(index).identity();
    identity.checkForChanges();
    TlsIdentity.Snapshot snapshot = identity.current();
    return keyFits(snapshot.key().getAlgorithm(), keyType)
        ? index + ":" + snapshot.generation()
        : null;
  }

  /** Whether a key can sign for what the JDK asks ({@code RSA}, {@code EC}, {@code EdDSA}...). */
  private static boolean keyFits(String keyAlgorithm, String keyType) {
    if (keyType == null || keyAlgorithm.equals(keyType)) {
      return true;
    }
    boolean edDsaKey = keyAlgorithm.equals("EdDSA") || keyAlgorithm.startsWith("Ed");
    return edDsaKey && (keyType.equals("EdDSA") || keyType.startsWith("Ed"));
  }

  private String[] aliases(String keyType) {
    return java.util.stream.IntStream.range(0, entries.size())
        .mapToObj(i -> aliasIfKeyFits(i, keyType))
        .filter(java.util.Objects::nonNull)
        .toArray(String[]::new);
  }

  private TlsIdentity.Snapshot snapshot(String alias) {
    int colon = alias == null ? -1 : alias.indexOf(':');
    if (colon < 0) {
      return null;
    }
    try {
      int index = Integer.parseInt(alias, 0, colon, 10);
      long generation = Long.parseLong(alias, colon + 1, alias.length(), 10);
      return index < entries.size() ? entries.get(index).identity().snapshot(generation) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The host name the client asked for in its hello (SNI), or null. */
  static String requestedName(SSLEngine engine) {
    if (engine == null) {
      return null;
    }
    SSLSession session = engine.getHandshakeSession();
    if (session instanceof ExtendedSSLSession extended) {
      for (SNIServerName name : extended.getRequestedServerNames()) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return null;
  }
}
