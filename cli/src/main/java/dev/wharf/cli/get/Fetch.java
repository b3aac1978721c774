package dev.wharf.cli.get;

import dev.wharf.cli.Failures;
import dev.wharf.core.Durations;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.HttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The attempts of one {@code wharf get}: each a {@link Transfer} of the request to its end, and
 * with {@code --retry} another after a wait while the outcome is a transient one. What is left is
 * the last transfer, with its exit code and the message of its failure.
 *
 * <p>Runs on the main thread; it blocks while a transfer runs on the client's loop.
 */
final class Fetch {
  private final HttpClient client;
  private final ClientRequest request;
  private final OutputStream sink;
  private final PrintWriter err;
  private final Transfer.Settings settings;
  private final int retries;
  private final double maxTime;

  /**
   * @param sink where the body goes, buffered; flushed after each attempt, closed by the caller
   * @param retries how many attempts may follow the first ({@code --retry})
   * @param maxTime {@code -m} in seconds, 0 for no limit
   */
  Fetch(
      HttpClient client,
      ClientRequest request,
      OutputStream sink,
      PrintWriter err,
      Transfer.Settings settings,
      int retries,
      double maxTime) {
    this.client = client;
    this.request = request;
    this.sink = sink;
    this.err = err;
    this.settings = settings;
    this.retries = retries;
    this.maxTime = maxTime;
  }

  /** Runs the attempts; the last one's transfer, its {@code exitCode} and message set. */
  Transfer run() throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      int retriesLeft = retries - attempt;
      var transfer = new Transfer(request, sink, err, settings, retriesLeft > 0);
      int code = attempt(transfer);
      transfer.exitCode = code;
      Optional<Duration> wait =
          retriesLeft > 0 ? transfer.retryDelay(code, attempt) : Optional.empty();
      if (wait.isEmpty()) {
        return transfer;
      }
      if (!settings.silent()) {
        err.println(
            "wharf get: "
                + transfer.transientProblem(code)
                + "; will retry in "
                + Durations.format(wait.get())
                + ", "
                + retriesLeft
                + (retriesLeft == 1 ? " retry" : " retries")
                + " left");
        err.flush();
      }
      Thread.sleep(wait.get());
    }
  }

  /** One exchange to its end; the exit code, with the failure's message kept in the transfer. */
  private int attempt(Transfer transfer) throws InterruptedException {
    try {
      client.exchange(request, transfer);
      transfer.timings =
          maxTime > 0
              ? transfer.done.get((long) (maxTime * 1000) + 1000, TimeUnit.MILLISECONDS)
              : transfer.done.get();
      try {
        transfer.finishBody();
        sink.flush();
      } catch (IOException e) {
        throw new ExecutionException(transfer.outputFailure(e));
      }
      return settings.fail() && transfer.status() >= 400 ? CurlExit.HTTP_ERROR : 0;
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? Failures.unwrap(e.getCause()) : e;
      int code = transfer.failureCode(cause);
      try {
        sink.flush(); // What did arrive is kept, as curl keeps it.
      } catch (IOException ignored) {
        // The failure already told is the one that matters.
      }
      transfer.errorMessage =
          code == CurlExit.PARTIAL_FILE
              ? transfer.partialMessage()
              : Failures.describe(cause) + transfer.progressNote(code);
      return code;
    }
  }
}
