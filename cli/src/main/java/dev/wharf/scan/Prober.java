package dev.wharf.scan;

/**
 * One thread's share of a TCP connect scan: {@link EpollConnectProber} on Linux, {@link
 * ConnectProber} (NIO) elsewhere. Runs on its own thread; takes ports from and records results in
 * the scan's {@link ConnectProber.Shared}.
 */
interface Prober extends Runnable {
  /** What ended the run other than its end: a failure the caller rethrows; null otherwise. */
  Throwable failure();

  /** Asks the run to end early; its sockets close. Any thread. */
  void stop();
}
