package dev.wharf.channels.protocol;

import dev.wharf.channels.StreamPosition;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One client request, as decoded from its text message; {@code id} is the client's id as its JSON
 * text (a number or a string), echoed in the reply as written. Immutable.
 */
public sealed interface Request {
  String id();

  /**
   * {@code {"op":"connect","id":0,"token":"eyJ..."}}: the connection's first request, with a JWT
   * when the server checks tokens; empty token when none was given.
   */
  record Connect(String id, Optional<String> token) implements Request {}

  /**
   * {@code {"op":"subscribe","id":1,"channel":"news","since":{"epoch":"e","offset":41}}}; with
   * {@code "joinLeave":false} the subscription gets no presence events (the default is true).
   */
  record Subscribe(String id, String channel, Optional<StreamPosition> since, boolean joinLeave)
      implements Request {}

  /** {@code {"op":"unsubscribe","id":2,"channel":"news"}} */
  record Unsubscribe(String id, String channel) implements Request {}

  /**
   * {@code {"op":"publish","id":3,"channel":"news","data":...}}; data is the value's exact text.
   */
  record Publish(String id, String channel, String data) implements Request {}

  /** {@code {"op":"presence","id":4,"channel":"news"}} */
  record Presence(String id, String channel) implements Request {}

  /** {@code {"op":"history","id":5,"channel":"news","limit":10}}; no limit: all that is kept. */
  record History(String id, String channel, OptionalInt limit) implements Request {}

  /** {@code {"op":"ping","id":6}} */
  record Ping(String id) implements Request {}
}
