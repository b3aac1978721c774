package dev.wharf.http.h2.client;

import dev.wharf.core.Cancellable;
import dev.wharf.http.h2.ReceiveWindow;
import dev.wharf.http.h2.StreamStateMachine;

/**
 * One exchange on an {@link Http2ClientConnection}: its stream's state and receive window, the
 * request body still to send, and how far the response got. Confined to the connection's loop.
 */
final class ClientStream {
  final int id;
  final Exchange exchange;
  final StreamStateMachine state;
  final ReceiveWindow window;
  OutgoingBody body; // what is left of the request body; null once sent
  boolean headReceived;
  long expectedLength = -1; // the response's content-length, -1 when unknown or no body
  long receivedLength;
  long sentNanos;
  long firstByteNanos;
  Cancellable timer;
  boolean awaitingContinue; // the body waits for 100 Continue, continueTimer or a final answer
  Cancellable continueTimer;

  ClientStream(int id, Exchange exchange, ReceiveWindow window) {
    this.id = id;
    this.exchange = exchange;
    this.state = new StreamStateMachine(id);
    this.window = window;
  }

  /** Stops what the stream still does: its timer and its body's reading. */
  void stop() {
    stopWaitingForContinue();
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    if (body != null) {
      body.cancel();
      body = null;
    }
  }

  void stopWaitingForContinue() {
    awaitingContinue = false;
    if (continueTimer != null) {
      continueTimer.cancel();
      continueTimer = null;
    }
  }
}
