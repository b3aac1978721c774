package dev.wharf.channels.internal;

import dev.wharf.channels.Broker;
import dev.wharf.channels.ChannelActivity;
import dev.wharf.channels.ClientInfo;
import dev.wharf.channels.Publication;
import dev.wharf.channels.protocol.ServerMessages;
import dev.wharf.websocket.PreparedMessage;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's view of the broker: a single broker subscription per channel while any local session
 * is subscribed, and the fan-out of what the broker delivers to those sessions' mailboxes.
 *
 * <p>Thread-safe. {@link #add} and {@link #remove} run on sessions' event loops, under this
 * object's lock (so the broker sees subscribe and unsubscribe of a channel in order); the listener
 * methods run on the broker's threads, without the lock: they read the concurrent sets, which see
 * every session added before the broker's history read that followed its {@link #add}.
 */
public final class Hub implements Broker.Listener {

  /**
   * What the hub fans out to: a client's session, or an observer in the server's own code. Called
   * on the broker's threads, in offset order per channel; must not block.
   */
  public interface Member {
    /** A publication of the channel, with its delivery message (encoded once per node). */
    void offerPublication(Publication publication, PreparedMessage delivery);

    /** A join (or a leave) on the channel, with the event's message (encoded once per node). */
    void offerEvent(String channel, boolean join, ClientInfo who, PreparedMessage event);

    /** The broker lost the channel's history: what was missed cannot be recovered. */
    void offerLost(String channel);

    /** The client's address, for a member that is a client's connection (dashboards). */
    default Optional<SocketAddress> remote() {
      return Optional.empty();
    }
  }

  /**
   * The local members of one channel, those of them that hear joins and leaves, and this node's
   * broker subscription for it.
   */
  private static final class Local {
    final Set<Member> sessions = ConcurrentHashMap.newKeySet();
    // Publications this node received for the channel; one add per publication, not per member.
    final AtomicLong publications = new AtomicLong();

    /**
     * The members that hear presence events: a join costs one event per member in here, not per
     * member of the channel (15,000 subscribers without events: no n-squared work per join).
     */
    final Set<Member> hearingPresence = ConcurrentHashMap.newKeySet();

    CompletableFuture<Void> subscribed;
  }

  private final Broker broker;
  private final ConcurrentHashMap<String, Local> locals = new ConcurrentHashMap<>();

  public Hub(Broker broker) {
    this.broker = broker;
  }

  public Broker broker() {
    return broker;
  }

  /**
   * Adds a session to a channel; the future completes once the broker delivers the channel's
   * publications to this node (at once when another local session had subscribed already).
   */
  public CompletableFuture<Void> add(String channel, Member session) {
    return add(channel, session, true);
  }

  /** As {@link #add(String, Member)}; {@code joinLeave} false: it hears no presence events. */
  public synchronized CompletableFuture<Void> add(
      String channel, Member session, boolean joinLeave) {
    Local local = locals.get(channel);
    if (local == null) {
      Local created = new Local();
      locals.put(channel, created);
      created.subscribed = subscribeSafely(channel);
      created.subscribed.whenComplete(
          (ok, failed) -> {
            if (failed != null) {
              forget(channel, created); // the next subscriber tries the broker again
            }
          });
      local = created;
    }
    local.sessions.add(session);
    if (joinLeave) {
      local.hearingPresence.add(session);
    }
    return local.subscribed;
  }

  /**
   * The broker's subscription as a future, also when the broker throws instead of failing it (a
   * client library refusing while it reconnects): a subscriber must get its error reply, never be
   * left waiting on a channel it can no longer subscribe to.
   */
  private CompletableFuture<Void> subscribeSafely(String channel) {
    try {
      return broker.subscribe(channel, this);
    } catch (RuntimeException refused) {
      return CompletableFuture.failedFuture(refused);
    }
  }

  private synchronized void forget(String channel, Local local) {
    if (locals.remove(channel, local)) {
      broker.unsubscribe(channel); // whatever the failed attempt left behind in the broker
    }
  }

  /** Removes a session from a channel; the last one out ends the node's broker subscription. */
  public synchronized void remove(String channel, Member session) {
    Local local = locals.get(channel);
    if (local != null) {
      local.hearingPresence.remove(session);
    }
    if (local != null && local.sessions.remove(session) && local.sessions.isEmpty()) {
      locals.remove(channel);
      broker.unsubscribe(channel);
    }
  }

  /** The channels this node is subscribed to, by name: local members and publications heard. */
  public List<ChannelActivity> activity() {
    var all = new ArrayList<ChannelActivity>();
    locals.forEach(
        (channel, local) ->
            all.add(new ChannelActivity(channel, local.sessions.size(), local.publications.get())));
    all.sort(Comparator.comparing(ChannelActivity::channel));
    return all;
  }

  /** The channels each local client (by its address) has subscribed to, in name order. */
  public Map<SocketAddress, List<String>> subscriptionsByClient() {
    var byClient = new HashMap<SocketAddress, List<String>>();
    locals.forEach(
        (channel, local) -> {
          for (Member member : local.sessions) {
            member
                .remote()
                .ifPresent(
                    remote ->
                        byClient.computeIfAbsent(remote, r -> new ArrayList<>()).add(channel));
          }
        });
    byClient.values().forEach(channels -> channels.sort(null));
    return byClient;
  }

  /** How many channels this node is subscribed to. */
  public int channelCount() {
    return locals.size();
  }

  @Override
  public void publication(Publication publication) {
    Local local = locals.get(publication.channel());
    if (local == null) {
      return;
    }
    local.publications.incrementAndGet();
    // Written and encoded once for every subscriber of this node.
    PreparedMessage delivery = PreparedMessage.text(ServerMessages.delivery(publication));
    for (Member session : local.sessions) {
      session.offerPublication(publication, delivery);
    }
  }

  @Override
  public void joined(String channel, ClientInfo client) {
    presence(channel, true, client);
  }

  @Override
  public void left(String channel, ClientInfo client) {
    presence(channel, false, client);
  }

  @Override
  public void lost(String channel) {
    Local local = locals.get(channel);
    if (local == null) {
      return;
    }
    for (Member member : local.sessions) {
      member.offerLost(channel);
    }
  }

  private void presence(String channel, boolean join, ClientInfo client) {
    Local local = locals.get(channel);
    if (local == null) {
      return;
    }
    if (local.hearingPresence.isEmpty()) {
      return;
    }
    PreparedMessage event =
        PreparedMessage.text(ServerMessages.presenceEvent(channel, join, client));
    for (Member session : local.hearingPresence) {
      session.offerEvent(channel, join, client, event);
    }
  }
}
