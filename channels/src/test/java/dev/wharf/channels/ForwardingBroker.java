package dev.wharf.channels;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A broker that passes every call on; tests override the calls they change. */
class ForwardingBroker implements Broker {
  final Broker inner;

  ForwardingBroker(Broker inner) {
    this.inner = inner;
  }

  @Override
  public CompletableFuture<Void> subscribe(String channel, Listener listener) {
    return inner.subscribe(channel, listener);
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String channel) {
    return inner.unsubscribe(channel);
  }

  @Override
  public CompletableFuture<Publication> publish(String channel, String data) {
    return inner.publish(channel, data);
  }

  @Override
  public CompletableFuture<History> history(String channel, OptionalLong after, int limit) {
    return inner.history(channel, after, limit);
  }

  @Override
  public CompletableFuture<Void> join(String channel, ClientInfo client) {
    return inner.join(channel, client);
  }

  @Override
  public CompletableFuture<Void> leave(String channel, ClientInfo client) {
    return inner.leave(channel, client);
  }

  @Override
  public CompletableFuture<List<ClientInfo>> presence(String channel) {
    return inner.presence(channel);
  }

  @Override
  public String describe() {
    return inner.describe();
  }

  @Override
  public void close() {
    inner.close();
  }
}
