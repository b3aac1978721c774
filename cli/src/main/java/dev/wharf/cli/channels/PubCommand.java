package dev.wharf.cli.channels;

import dev.wharf.channels.protocol.ChannelNames;
import dev.wharf.channels.protocol.Json;
import dev.wharf.channels.protocol.ServerMessage;
import dev.wharf.cli.Failures;
import dev.wharf.cli.tls.ClientTlsOptions;
import dev.wharf.core.EventLoopGroup;
import dev.wharf.websocket.WebSocketClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf pub URL CHANNEL [DATA]}: publishes DATA, or each line of stdin. */
@Command(
    name = "pub",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes to a channel of a channels endpoint (wharf serve --channels, ws://HOST:PORT):"
          + " DATA, or else each line of stdin. Valid JSON is published as JSON, anything else as"
          + " a JSON string.",
      "Exits 0 once the server confirmed every publication; on a refusal, one line on stderr and"
          + " exit 1."
    })
public final class PubCommand implements Callable<Integer> {
  /** Publications sent and not yet confirmed, at most: enough to fill a loopback round trip. */
  static final int WINDOW = 64;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URL", description = "ws://HOST:PORT[/ws/channels]")
  String url;

  @Parameters(index = "1", paramLabel = "CHANNEL", description = "The channel.")
  String channel;

  @Parameters(
      index = "2",
      arity = "0..1",
      paramLabel = "DATA",
      description = "What to publish (default: each line of stdin).")
  String data;

  @Mixin TokenOptions tokens = new TokenOptions();

  @Mixin ClientTlsOptions tlsOptions = new ClientTlsOptions();

  /** What the command line asked for; starts nothing. */
  record Options(URI url, String channel, Optional<String> data) {}

  Options options() {
    if (!ChannelNames.isValid(channel)) {
      throw new IllegalArgumentException(
          "not a channel name: " + channel + " (1 to 255 of A-Z a-z 0-9 _ - . : / @ = +)");
    }
    URI parsed = ChannelsUrl.parse(url);
    ChannelsTls.check(tlsOptions, List.of(parsed));
    return new Options(parsed, channel, Optional.ofNullable(data));
  }

  /** A publication's JSON: the text itself if it is one JSON value, else a JSON string of it. */
  static String asJson(String text) {
    return Json.isValue(text) ? text.strip() : Json.quote(text);
  }

  private InputStream in = System.in;

  PubCommand withInput(InputStream input) {
    this.in = input;
    return this;
  }

  @Override
  public Integer call() throws Exception {
    Options options = options();
    Optional<String> token = tokens.token();
    try (var group = new EventLoopGroup(1, "wharf-pub", true)) {
      var link = new ChannelLink(message -> {});
      var builder = WebSocketClient.builder(group);
      ChannelsTls.config(tlsOptions, List.of(options.url()), "pub", spec.commandLine().getErr())
          .ifPresent(builder::tls);
      try {
        builder
            .build()
            .connect(options.url(), link)
            .get(SubCommand.CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? Failures.unwrap(e) : e;
        throw new IOException(
            "cannot connect to " + options.url() + ": " + Failures.describe(cause));
      }
      var waiting = new ArrayDeque<CompletableFuture<ServerMessage.Reply>>();
      if (token.isPresent()) {
        // First, and confirmed like a publication: a refusal is the one line pub prints.
        waiting.add(link.request("connect", "token", Json.quote(token.get())));
      }
      String quoted = Json.quote(options.channel());
      if (options.data().isPresent()) {
        waiting.add(
            link.request("publish", "channel", quoted, "data", asJson(options.data().get())));
      } else {
        var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
          if (waiting.size() >= WINDOW && !confirmed(waiting.poll(), options)) {
            return Failures.IO_FAILURE;
          }
          waiting.add(link.request("publish", "channel", quoted, "data", asJson(line)));
        }
      }
      while (!waiting.isEmpty()) {
        if (!confirmed(waiting.poll(), options)) {
          return Failures.IO_FAILURE;
        }
      }
      link.webSocket().close().get(5, TimeUnit.SECONDS);
      return 0;
    }
  }

  /** Waits for a reply; a refusal is told on stderr in one line. */
  private boolean confirmed(CompletableFuture<ServerMessage.Reply> reply, Options options)
      throws Exception {
    ServerMessage.Reply answer;
    try {
      answer = reply.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException("publication not confirmed: " + Failures.describe(Failures.unwrap(e)));
    } catch (TimeoutException e) {
      throw new IOException("no answer from the server within 30 s");
    }
    if (answer.error().isPresent()) {
      var err = spec.commandLine().getErr();
      err.println(
          "wharf pub: "
              + options.channel()
              + ": "
              + answer.error().get().wireCode()
              + ": "
              + answer.error().get().message());
      err.flush();
      return false;
    }
    return true;
  }
}
