package dev.wharf.cli.tls;

import dev.wharf.cli.Failures;
import dev.wharf.core.tls.TlsConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file named by a TLS option cannot be used: a missing CA file, a key that does not fit its
 * certificate. Says which option in its message, and keeps it for commands that answer with
 * different exit codes (curl's 77 for the CA file, 58 for the client certificate).
 */
public final class TlsOptionException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The option whose file failed, such as {@code --cacert}. */
  public final String option;

  TlsOptionException(String option, TlsConfigException cause) {
    super(option + ": " + Failures.describe(cause), cause);
    this.option = option;
  }

  /**
   * Fails for a --key file that is not there, under --key: reading the pair would blame --cert,
   * whose option it was read with.
   */
  static void requireKeyFile(Path key) throws TlsOptionException {
    if (key != null && Files.notExists(key)) {
      throw new TlsOptionException("--key", new TlsConfigException("file not found: " + key));
    }
  }
}
