package dev.wharf.cli.channels;

import dev.wharf.channels.StreamPosition;
import dev.wharf.channels.protocol.ChannelNames;
import dev.wharf.channels.protocol.ChannelsCloseCodes;
import dev.wharf.channels.protocol.ErrorCode;
import dev.wharf.channels.protocol.Json;
import dev.wharf.channels.protocol.ServerMessage;
import dev.wharf.channels.protocol.ServerMessages;
import dev.wharf.cli.Failures;
import dev.wharf.cli.io.BufferedLines;
import dev.wharf.cli.tls.ClientTlsOptions;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.websocket.WebSocketClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wharf sub URL CHANNEL...}: prints what is published to channels, recovering on reconnect.
 */
@Command(
    name = "sub",
    mixinStandardHelpOptions = true,
    description = {
      "Subscribes to channels of a channels endpoint (wharf serve --channels, ws://HOST:PORT) and"
          + " prints each publication's data on a line: a string as its text, other JSON as JSON.",
      "When the connection drops it reconnects, waiting longer each time, and asks for what it"
          + " missed (since); it says on stderr when the server could not give it all.",
      "Several URLs, separated by commas, name nodes of one broker: it connects to the first that"
          + " answers and, when that connection drops, goes on to the next."
    })
public final class SubCommand implements Callable<Integer> {
  static final Duration FIRST_DELAY = Duration.ofMillis(200);
  static final Duration MAX_DELAY = Duration.ofSeconds(5);
  static final Duration CONNECT_WAIT = Duration.ofSeconds(15);

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "URL[,URL...]",
      description = "ws://HOST:PORT[/ws/channels]; several: nodes to fall over to, in turn.")
  String url;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "CHANNEL", description = "Channels.")
  List<String> channels;

  @Option(names = "--jsonl", description = "Print each delivery whole, as one JSON line.")
  boolean jsonl;

  @Option(
      names = "--since",
      paramLabel = "EPOCH:OFFSET",
      description = "Start after this position (of every channel given), as a reconnect would.")
  String since;

  @Option(
      names = {"-v", "--verbose"},
      description = "Say on stderr when each subscription starts, and where (EPOCH:OFFSET).")
  boolean verbose;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Exit after N deliveries.")
  Long count;

  @Mixin TokenOptions tokens = new TokenOptions();

  @Mixin ClientTlsOptions tlsOptions = new ClientTlsOptions();

  /** What the command line asked for; starts nothing. */
  record Options(
      List<URI> urls,
      List<String> channels,
      boolean jsonl,
      Optional<StreamPosition> since,
      OptionalLong count) {}

  Options options() {
    for (String channel : channels) {
      if (!ChannelNames.isValid(channel)) {
        throw new IllegalArgumentException(
            "not a channel name: " + channel + " (1 to 255 of A-Z a-z 0-9 _ - . : / @ = +)");
      }
    }
    if (channels.stream().distinct().count() != channels.size()) {
      throw new IllegalArgumentException("a channel is given twice");
    }
    Optional<StreamPosition> position = Optional.empty();
    if (since != null) {
      int colon = since.lastIndexOf(':');
      try {
        position =
            Optional.of(
                new StreamPosition(
                    since.substring(0, Math.max(colon, 0)),
                    Long.parseLong(since.substring(colon + 1))));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("--since takes EPOCH:OFFSET, got " + since);
      }
      if (colon <= 0) {
        throw new IllegalArgumentException("--since takes EPOCH:OFFSET, got " + since);
      }
    }
    if (count != null && count < 1) {
      throw new IllegalArgumentException("--count must be at least 1");
    }
    List<URI> urls = new ArrayList<>();
    for (String one : url.split(",", -1)) {
      urls.add(ChannelsUrl.parse(one.strip()));
    }
    if (urls.stream().distinct().count() != urls.size()) {
      throw new IllegalArgumentException("a URL is given twice");
    }
    ChannelsTls.check(tlsOptions, urls);
    return new Options(
        List.copyOf(urls),
        List.copyOf(channels),
        jsonl,
        position,
        count == null ? OptionalLong.empty() : OptionalLong.of(count));
  }

  /** A refusal that reconnecting would not change: reported, and the exit is 1. */
  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private PrintWriter out;
  private PrintWriter err;
  private Options options;
  private final Map<String, StreamPosition> positions = new ConcurrentHashMap<>();
  private final AtomicLong delivered = new AtomicLong();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile ChannelLink current;
  private volatile ServerMessage.Error lastFailure;
  private Optional<String> token = Optional.empty();

  @Override
  public Integer call() throws Exception {
    options = options();
    token = tokens.token();
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    options.since().ifPresent(p -> options.channels().forEach(c -> positions.put(c, p)));
    try (var group = new EventLoopGroup(1, "wharf-sub", true)) {
      var builder = WebSocketClient.builder(group);
      ChannelsTls.config(tlsOptions, options.urls(), "sub", err).ifPresent(builder::tls);
      WebSocketClient client = builder.build();
      List<URI> urls = options.urls();
      int node = 0; // the index in urls of the node to connect to next
      boolean everOpen = false;
      Duration delay = FIRST_DELAY;
      while (true) {
        var link = new ChannelLink(this::event);
        current = link;
        URI target = urls.get(node);
        try {
          client.connect(target, link).get(CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
          Throwable cause = e instanceof ExecutionException ? Failures.unwrap(e) : e;
          node = (node + 1) % urls.size();
          if (!everOpen) {
            if (node != 0) {
              continue; // the first round tries each node once, at once
            }
            throw new IOException(
                "cannot connect to " + describe(urls) + ": " + Failures.describe(cause));
          }
          say(
              "cannot reconnect"
                  + (urls.size() > 1 ? " to " + target : "")
                  + ": "
                  + Failures.describe(cause)
                  + "; trying again"
                  + (urls.size() > 1 ? " with " + urls.get(node) : "")
                  + " in "
                  + seconds(delay));
          Thread.sleep(delay.toMillis());
          delay = longer(delay);
          continue;
        }
        everOpen = true;
        delay = FIRST_DELAY;
        if (verbose && urls.size() > 1) {
          say("connected to " + target);
        }
        // The connect request goes first; the server answers requests in order, so the
        // subscriptions after it run under its token.
        token.ifPresent(t -> connect(link, t));
        for (String channel : options.channels()) {
          subscribe(link, channel);
        }
        // Either enough was printed, or the connection ended, or a refusal failed done.
        CompletableFuture.anyOf(done, link.ended()).join();
        if (done.isCompletedExceptionally()) {
          link.webSocket().close();
          throw (Exception) Failures.unwrap(done.exceptionNow());
        }
        if (done.isDone()) {
          link.webSocket().close().get(5, TimeUnit.SECONDS);
          return 0;
        }
        ChannelLink.Ending ending = link.ended().join();
        if (ending.code() == ChannelsCloseCodes.UNAUTHORIZED
            || ending.code() == ChannelsCloseCodes.TOKEN_EXPIRED) {
          ServerMessage.Error why = lastFailure;
          throw new Refused(
              why != null
                  ? why.wireCode() + ": " + why.message()
                  : "the server closed the connection: "
                      + ending.code()
                      + ChannelLink.describe(ending.reason()));
        }
        // A node that dropped its clients may be going away: the next one is likelier to answer.
        node = (node + 1) % urls.size();
        say(
            "connection lost ("
                + ending.code()
                + ChannelLink.describe(ending.reason())
                + "); reconnecting"
                + (urls.size() > 1 ? " to " + urls.get(node) : "")
                + " in "
                + seconds(delay));
        Thread.sleep(delay.toMillis());
        delay = longer(delay);
      }
    } catch (Refused refused) {
      say(refused.getMessage());
      return Failures.IO_FAILURE;
    }
  }

  private static String describe(List<URI> urls) {
    return urls.size() == 1
        ? urls.getFirst().toString()
        : "any of " + String.join(", ", urls.stream().map(URI::toString).toList());
  }

  private static Duration longer(Duration delay) {
    Duration next = delay.multipliedBy(2);
    return next.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : next;
  }

  private static String seconds(Duration delay) {
    return String.format(java.util.Locale.ROOT, "%.1f s", delay.toMillis() / 1000.0);
  }

  /** Sends the token; a refusal ends the command (the server closes the connection too). */
  private void connect(ChannelLink link, String jwt) {
    link.request("connect", "token", Json.quote(jwt))
        .whenComplete(
            (reply, failed) -> {
              if (failed == null && reply.error().isPresent()) {
                ServerMessage.Error e = reply.error().get();
                done.completeExceptionally(new Refused(e.wireCode() + ": " + e.message()));
              }
            });
  }

  /** Subscribes, with since when a position is known; the reply is handled on the loop. */
  private void subscribe(ChannelLink link, String channel) {
    StreamPosition known = positions.get(channel);
    var fields = new ArrayList<String>(List.of("channel", Json.quote(channel)));
    if (known != null) {
      fields.addAll(List.of("since", ServerMessages.since(known)));
    }
    link.request("subscribe", fields.toArray(String[]::new))
        .whenComplete(
            (reply, failed) -> {
              if (failed != null) {
                return; // the connection ended; the main thread reconnects
              }
              if (reply.error().isPresent()) {
                ServerMessage.Error e = reply.error().get();
                String line = channel + ": " + e.wireCode() + ": " + e.message();
                if (e.code() == ErrorCode.UNAVAILABLE) {
                  say(line + "; reconnecting");
                  link.webSocket().abort();
                } else {
                  done.completeExceptionally(new Refused(line));
                }
                return;
              }
              if (reply.recovered().isPresent() && !reply.recovered().get()) {
                say(
                    channel
                        + ": could not recover what was missed: "
                        + reply.reason().orElse("no reason given"));
              }
              // The deliveries that follow the reply start after this (or after since).
              if (known == null || !reply.recovered().orElse(false)) {
                reply.position().ifPresent(p -> positions.put(channel, p));
              }
              if (verbose) {
                StreamPosition from = positions.get(channel);
                say(
                    channel
                        + ": subscribed at "
                        + from.epoch()
                        + ":"
                        + from.offset()
                        + (reply.recovered().orElse(false) ? " (recovering from there)" : ""));
              }
            });
  }

  /** A delivery, presence event or lag notice; on the connection's loop. */
  private void event(ServerMessage message) {
    switch (message) {
      case ServerMessage.Delivery d -> {
        if (done.isDone()) {
          return;
        }
        positions.put(d.channel(), d.position());
        String line = options.jsonl() ? oneLine(d.text()) : printable(d.data());
        synchronized (out) {
          out.println(line);
          out.flush();
          if (BufferedLines.closed(out)) {
            done.complete(null); // Stdout closed (| head): nobody reads what follows.
            return;
          }
        }
        if (options.count().isPresent()
            && delivered.incrementAndGet() >= options.count().getAsLong()) {
          done.complete(null);
        }
      }
      case ServerMessage.Lagged lagged -> {
        say(
            lagged.channel()
                + ": fell behind; recovering from offset "
                + lagged.lastDelivered().offset());
        positions.put(lagged.channel(), lagged.lastDelivered());
        // The server dropped the subscription: nothing more comes for it until this is answered.
        subscribeAgain(lagged.channel());
      }
      case ServerMessage.Failure failure -> lastFailure = failure.error();
      default -> {}
    }
  }

  private void subscribeAgain(String channel) {
    ChannelLink link = current;
    if (link != null) {
      subscribe(link, channel);
    }
  }

  private static String printable(String data) {
    String text = Json.stringValue(data);
    return text != null ? text : oneLine(data);
  }

  private static String oneLine(String json) {
    return json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0 ? Json.compact(json) : json;
  }

  private void say(String line) {
    synchronized (err) {
      err.println("wharf sub: " + line);
      err.flush();
    }
  }
}
