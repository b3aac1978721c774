package dev.wharf.bench.fanout;

import dev.wharf.websocket.WebSocket;
import dev.wharf.websocket.WebSocketClient;
import dev.wharf.websocket.WebSocketListener;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The fan-out benchmark's connections: subscribers that record each delivery's latency (receive
 * time minus the send time in its data, both this JVM's {@code System.nanoTime}) and count it, and
 * one publisher. Listener callbacks run on the client's event loops; counters and the recorder may
 * be read from any thread.
 */
final class FanoutClients {
  private final WebSocketClient client;
  private final URI uri;
  private final FanoutWire wire;
  private final String channel;
  final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(120), 3);
  final AtomicLong delivered = new AtomicLong();

  /** The nanoTime of the latest delivery. */
  final AtomicLong lastDeliveryAt = new AtomicLong();

  final AtomicLong failures = new AtomicLong();
  private final List<WebSocket> open = new ArrayList<>(); // guarded by itself

  FanoutClients(WebSocketClient client, URI base, FanoutWire wire, String channel) {
    this.client = client;
    this.uri = base.resolve(wire.path());
    this.wire = wire;
    this.channel = channel;
  }

  /**
   * Opens {@code count} subscribers, at most {@code inFlight} between connect and subscribed at a
   * time; returns once every one is subscribed, or throws naming how many failed.
   */
  void subscribe(int count, int inFlight) throws InterruptedException {
    var permits = new Semaphore(inFlight);
    var done = new java.util.concurrent.CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      permits.acquire();
      var ready = new CompletableFuture<Void>();
      ready.whenComplete(
          (ok, failed) -> {
            if (failed != null) {
              failures.incrementAndGet();
            }
            permits.release();
            done.countDown();
          });
      client
          .connect(uri, new Subscriber(ready))
          .whenComplete(
              (ws, failed) -> {
                if (failed != null) {
                  ready.completeExceptionally(failed);
                } else {
                  synchronized (open) {
                    open.add(ws);
                  }
                }
              });
    }
    if (!done.await(10, TimeUnit.MINUTES) || failures.get() > 0) {
      throw new IllegalStateException(
          failures.get() + " of " + count + " subscribers failed to connect or subscribe");
    }
  }

  /** Connects the publisher; returns it once it may publish. */
  Publisher publisher() throws Exception {
    var ready = new CompletableFuture<Void>();
    var listener = new Control(ready);
    WebSocket ws = client.connect(uri, listener).get(60, TimeUnit.SECONDS);
    if (wire == FanoutWire.WHARF) {
      ready.complete(null);
    }
    ready.get(60, TimeUnit.SECONDS);
    return new Publisher(ws);
  }

  /** Sends publications; from one thread at a time. */
  final class Publisher {
    private final WebSocket ws;
    private long ids;

    Publisher(WebSocket ws) {
      this.ws = ws;
    }

    void publish(long seq, String padding) {
      long now = System.nanoTime();
      ws.sendText(wire.publish(channel, ++ids, FanoutWire.data(now, seq, padding)));
    }
  }

  void closeAll() {
    synchronized (open) {
      open.forEach(WebSocket::abort);
      open.clear();
    }
  }

  /** The Socket.IO handshake and pings, common to both kinds of connection. */
  private class Control implements WebSocketListener {
    final CompletableFuture<Void> ready;

    Control(CompletableFuture<Void> ready) {
      this.ready = ready;
    }

    @Override
    public void onText(WebSocket ws, String text) {
      switch (wire.classify(text)) {
        case OPENED -> ws.sendText("40");
        case CONNECTED -> connected(ws);
        case PING -> ws.sendText("3");
        case SUBSCRIBED -> ready.complete(null);
        case DELIVERY -> delivery(text);
        case FAILED -> ready.completeExceptionally(new IllegalStateException(text));
        case OTHER -> {}
      }
    }

    void connected(WebSocket ws) {
      ready.complete(null);
    }

    void delivery(String text) {}

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
      ready.completeExceptionally(new IllegalStateException("closed " + code + " " + reason));
    }
  }

  private final class Subscriber extends Control {
    Subscriber(CompletableFuture<Void> ready) {
      super(ready);
    }

    @Override
    public void onOpen(WebSocket ws) {
      if (wire == FanoutWire.WHARF) {
        ws.sendText(wire.subscribe(channel));
      }
    }

    @Override
    void connected(WebSocket ws) {
      ws.sendText(wire.subscribe(channel));
    }

    @Override
    void delivery(String text) {
      long now = System.nanoTime();
      long sent = FanoutWire.sentNanos(text);
      if (sent > 0) {
        latency.recordValue(Math.max(0, now - sent));
      }
      lastDeliveryAt.set(now);
      delivered.incrementAndGet();
    }
  }
}
