package dev.wharf.bench.load;

import java.io.IOException;

/**
 * A load of short connections, {@code concurrency} at a time: before each turn of the {@link
 * LoadLoop} it starts new ones until that many are open again. Each one connects, does its exchange
 * (the accept test's 1-byte echo, a TLS handshake and 1 byte), counts itself {@link
 * LoadLoop#completed} from the moment it began connecting, closes, and tells {@link #ended}.
 *
 * <p>Not thread-safe: the generator's thread owns it.
 */
public final class Churn implements LoadLoop.Turn {
  /** Starts one connection on the loop's selector; it calls {@link #ended} once when it closes. */
  public interface Starter {
    void start(LoadLoop loop, Churn churn) throws IOException;
  }

  private final int concurrency;
  private final Starter starter;
  private int open;

  public Churn(int concurrency, Starter starter) {
    this.concurrency = concurrency;
    this.starter = starter;
  }

  /**
   * Tops the open connections up to {@code concurrency}; a connect that fails at once waits a turn.
   */
  @Override
  public void beforeSelect(LoadLoop loop) {
    while (open < concurrency) {
      try {
        starter.start(loop, this);
      } catch (IOException e) {
        loop.error("connect failed: " + e);
        return;
      }
      open++;
    }
  }

  /** A connection closed, done or failed: another may start. */
  public void ended() {
    open--;
  }
}
