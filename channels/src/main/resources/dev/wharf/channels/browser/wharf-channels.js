// The browser client of Wharf's channels (docs/channels.md): an ES module, no dependencies.
//
//   import { ChannelsClient } from "/_wharf/channels.js";
//   const client = new ChannelsClient({ token: "eyJ..." });      // or getToken: async () => ...
//   client.subscribe("chat:lobby", { message: (data) => show(data) });
//   await client.publish("chat:lobby", { text: "hello" });
//
// It reconnects by itself, waiting longer each time (200 ms doubling up to 5 s, with jitter),
// and subscribes again with `since` set to the last position it delivered, so a subscriber gets
// what it missed, in order, once; when the server cannot give it all (`recovered: false`) the
// subscription's `recovered` callback says so. A subscribe refused with `unavailable` (the
// server's broker is away) is tried again the same way. Close 4001 (unauthorized) stops it; close 4002
// (token expired) reconnects only with `getToken`, which it calls for a fresh token.

const UNAUTHORIZED = 4001;
const TOKEN_EXPIRED = 4002;

export class ChannelsClient {
  /**
   * @param {object} [options]
   * @param {string} [options.url] the endpoint (default: ws[s]://this host/ws/channels)
   * @param {string} [options.token] a JWT to connect with
   * @param {() => Promise<string>} [options.getToken] called for a token at each connect
   * @param {number} [options.minDelay] first reconnect delay, ms (default 200)
   * @param {number} [options.maxDelay] longest reconnect delay, ms (default 5000)
   * @param {(state: string, detail?: string) => void} [options.state] told "connecting",
   *     "connected", "disconnected" (will reconnect) or "closed" (will not), with why
   */
  constructor(options = {}) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = options.url ?? `${scheme}//${location.host}/ws/channels`;
    this.token = options.token;
    this.getToken = options.getToken;
    this.minDelay = options.minDelay ?? 200;
    this.maxDelay = options.maxDelay ?? 5000;
    this.onState = options.state ?? (() => {});
    this.subscriptions = new Map(); // channel -> {handlers, position}
    this.pending = new Map(); // request id -> {resolve, reject}
    this.nextId = 1;
    this.delay = this.minDelay;
    this.closed = false;
    this.ready = null;
    this.clientId = null;
    this.user = null;
    this.connect();
  }

  /**
   * Subscribes to a channel; handlers: message(data, delivery), join(who), leave(who),
   * subscribed(reply) after each subscribe (the first and those after a reconnect),
   * recovered(ok, reason) after those with since, error(error). Returns the subscription: unsubscribe() ends it.
   */
  subscribe(channel, handlers = {}) {
    if (this.subscriptions.has(channel)) {
      throw new Error(`already subscribed to ${channel}`);
    }
    const subscription = { channel, handlers, position: null };
    this.subscriptions.set(channel, subscription);
    if (this.isOpen()) {
      this.sendSubscribe(subscription);
    }
    return {
      unsubscribe: () => {
        if (this.subscriptions.get(channel) === subscription) {
          this.subscriptions.delete(channel);
          if (this.isOpen()) {
            this.request({ op: "unsubscribe", channel }).catch(() => {});
          }
        }
      },
    };
  }

  /** Publishes any JSON value; resolves with {epoch, offset} once the server took it. */
  async publish(channel, data) {
    return this.request({ op: "publish", channel, data }, true);
  }

  /** Who is subscribed: [{client, user}]. */
  async presence(channel) {
    return (await this.request({ op: "presence", channel }, true)).clients;
  }

  /** The newest publications the channel keeps, oldest first. */
  async history(channel, limit) {
    return this.request({ op: "history", channel, limit }, true);
  }

  /** Closes for good: no reconnect. */
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.socket) {
      this.socket.close(1000, "bye");
    }
  }

  isOpen() {
    return this.socket?.readyState === WebSocket.OPEN && this.clientId !== null;
  }

  // ---- the connection ----

  async connect() {
    this.onState("connecting");
    this.clientId = null;
    let token = this.token;
    if (this.getToken) {
      try {
        token = await this.getToken();
      } catch (e) {
        this.retry(`no token: ${e}`);
        return;
      }
    }
    const socket = new WebSocket(this.url);
    this.socket = socket;
    let opened;
    this.ready = new Promise((resolve) => (opened = resolve));
    socket.onopen = () => {
      const connect = { op: "connect" };
      if (token) {
        connect.token = token;
      }
      this.request(connect, false, socket)
        .then((reply) => {
          this.clientId = reply.client;
          this.user = reply.user;
          this.delay = this.minDelay;
          this.onState("connected");
          for (const subscription of this.subscriptions.values()) {
            this.sendSubscribe(subscription);
          }
          opened();
        })
        .catch(() => {}); // the close that follows a refusal says why
    };
    socket.onmessage = (event) => this.received(JSON.parse(event.data));
    socket.onclose = (event) => {
      if (this.socket !== socket) {
        return;
      }
      this.clientId = null;
      for (const { reject } of this.pending.values()) {
        reject(new Error(`connection closed (${event.code})`));
      }
      this.pending.clear();
      const why = `${event.code} ${event.reason}`.trim();
      if (this.closed || event.code === UNAUTHORIZED || (event.code === TOKEN_EXPIRED && !this.getToken)) {
        this.closed = true;
        this.onState("closed", why);
        return;
      }
      this.retry(why);
    };
  }

  retry(why) {
    // Full jitter over the upper half: clients that lost one server do not all come back at once.
    const wait = this.delay / 2 + Math.random() * (this.delay / 2);
    this.delay = Math.min(this.delay * 2, this.maxDelay);
    this.onState("disconnected", why);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  sendSubscribe(subscription) {
    const message = { op: "subscribe", channel: subscription.channel };
    const asked = subscription.position;
    if (asked) {
      message.since = asked;
    }
    this.request(message)
      .then((reply) => {
        if (this.subscriptions.get(subscription.channel) !== subscription) {
          return;
        }
        if (!asked || !reply.recovered) {
          subscription.position = { epoch: reply.epoch, offset: reply.offset };
        }
        subscription.retryDelay = this.minDelay;
        subscription.handlers.subscribed?.(reply);
        if (asked) {
          subscription.handlers.recovered?.(reply.recovered, reply.reason?.message);
        }
      })
      .catch((error) => {
        subscription.handlers.error?.(error);
        if (error.code === "unavailable") {
          this.subscribeLater(subscription);
        }
      });
  }

  // The server's broker is away (docs/channels.md, "Outages"): subscribe again on this
  // connection, waiting longer each time as for a reconnect. A new connection subscribes anyway.
  subscribeLater(subscription) {
    const socket = this.socket;
    const delay = subscription.retryDelay ?? this.minDelay;
    subscription.retryDelay = Math.min(delay * 2, this.maxDelay);
    setTimeout(() => {
      const current = this.subscriptions.get(subscription.channel) === subscription;
      if (current && this.socket === socket && this.isOpen()) {
        this.sendSubscribe(subscription);
      }
    }, delay / 2 + Math.random() * (delay / 2));
  }

  /** Sends a request; with waitForConnection, once connected (else now, or fails). */
  async request(fields, waitForConnection = false, socket = this.socket) {
    if (waitForConnection && !this.isOpen()) {
      if (this.closed) {
        throw new Error("the client is closed");
      }
      await this.ready;
      socket = this.socket;
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ ...fields, id }));
    });
  }

  received(message) {
    if (message.id !== undefined) {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (!waiting) {
        return;
      }
      if (message.error) {
        const error = new Error(`${message.error.code}: ${message.error.message}`);
        error.code = message.error.code;
        waiting.reject(error);
      } else {
        waiting.resolve(message);
      }
      return;
    }
    const subscription = this.subscriptions.get(message.channel);
    if (!subscription) {
      return;
    }
    if ("data" in message) {
      const position = subscription.position;
      if (position && position.epoch === message.epoch && message.offset <= position.offset) {
        return; // delivered already
      }
      subscription.position = { epoch: message.epoch, offset: message.offset };
      subscription.handlers.message?.(message.data, message);
    } else if (message.join) {
      subscription.handlers.join?.(message.join);
    } else if (message.leave) {
      subscription.handlers.leave?.(message.leave);
    } else if (message.lagged) {
      // The server dropped the subscription: subscribe again from the last delivered.
      subscription.position = message.lagged;
      this.sendSubscribe(subscription);
    }
  }
}
