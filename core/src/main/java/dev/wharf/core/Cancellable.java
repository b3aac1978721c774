package dev.wharf.core;

/** A handle on something scheduled that may still be called off. Safe to call from any thread. */
@FunctionalInterface
public interface Cancellable {
  /** Calls it off; does nothing if it already ran or was cancelled. */
  void cancel();
}
