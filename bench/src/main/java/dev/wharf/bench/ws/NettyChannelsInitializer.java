package dev.wharf.bench.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The C10K reference on Netty 4.2: the part of Wharf's channels protocol (docs/channels.md) that
 * the benchmark uses, in the shape of Netty's own WebSocket examples. {@code HttpServerCodec}, a 64
 * KiB {@code HttpObjectAggregator} for the handshake, {@code WebSocketServerProtocolHandler}
 * (handshake at {@value #PATH}, Ping answered with Pong, close), then one shared handler:
 *
 * <ul>
 *   <li>{@code subscribe}: the channel joins a {@link ChannelGroup} (one, whatever the name: the
 *       benchmark uses one channel), and gets the reply with the epoch and offset;
 *   <li>{@code publish}: the delivery {@code {"channel":…,"epoch":…,"offset":N,"data":…}} is
 *       written once into one buffer and sent to the whole group ({@code
 *       ChannelGroup.writeAndFlush}, each member a retained duplicate: Netty's broadcast), then the
 *       reply;
 *   <li>{@code connect}, {@code ping}: an ok reply; anything else a {@code bad_request}.
 * </ul>
 *
 * <p>Requests are read with regular expressions, enough for what {@code wharf bench --hold} and
 * {@code wharf pub} send; it keeps no history, presence or authorization (Wharf's side does, at the
 * cost measured). Thread-safe: the group is Netty's concurrent set; the offset an atomic counter.
 */
final class NettyChannelsInitializer extends ChannelInitializer<SocketChannel> {
  /** The path both servers serve their channels at. */
  static final String PATH = "/ws/channels";

  private final Channels channels = new Channels();

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast(
            new HttpServerCodec(),
            new HttpObjectAggregator(65536),
            new WebSocketServerProtocolHandler(
                WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath(PATH)
                    .maxFramePayloadLength(64 * 1024)
                    .build()),
            channels);
  }

  /** The requests of every connection: one group of subscribers, one offset. */
  @Sharable
  static final class Channels extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private static final Pattern OP = Pattern.compile("\"op\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+|\"[^\"]*\")");
    private static final Pattern CHANNEL = Pattern.compile("\"channel\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern DATA = Pattern.compile("\"data\"\\s*:\\s*(.*)}\\s*$");
    private static final String EPOCH = "netty";

    private final ChannelGroup subscribers = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicLong offset = new AtomicLong();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      String text = frame.text();
      String op = find(OP, text);
      String id = find(ID, text);
      if (op == null || id == null) {
        reply(ctx, "{\"error\":{\"code\":\"bad_request\",\"message\":\"op and id required\"}}");
        return;
      }
      switch (op) {
        case "subscribe" -> {
          subscribers.add(ctx.channel());
          reply(ctx, ok(id) + ",\"epoch\":\"" + EPOCH + "\",\"offset\":" + offset.get() + "}");
        }
        case "publish" -> {
          String channel = find(CHANNEL, text);
          String data = find(DATA, text);
          long n = offset.incrementAndGet();
          String delivery =
              "{\"channel\":\""
                  + channel
                  + "\",\"epoch\":\""
                  + EPOCH
                  + "\",\"offset\":"
                  + n
                  + ",\"data\":"
                  + data
                  + "}";
          ByteBuf once = Unpooled.copiedBuffer(delivery, StandardCharsets.UTF_8);
          subscribers.writeAndFlush(new TextWebSocketFrame(once));
          reply(ctx, ok(id) + ",\"epoch\":\"" + EPOCH + "\",\"offset\":" + n + "}");
        }
        case "connect" -> reply(ctx, ok(id) + ",\"client\":\"" + ctx.channel().id() + "\"}");
        case "ping" -> reply(ctx, ok(id) + "}");
        default ->
            reply(
                ctx,
                "{\"id\":"
                    + id
                    + ",\"error\":{\"code\":\"bad_request\",\"message\":\"unsupported op\"}}");
      }
    }

    private static String ok(String id) {
      return "{\"id\":" + id + ",\"ok\":true";
    }

    private static void reply(ChannelHandlerContext ctx, String text) {
      ctx.writeAndFlush(new TextWebSocketFrame(text));
    }

    private static String find(Pattern pattern, String text) {
      Matcher m = pattern.matcher(text);
      return m.find() ? m.group(1) : null;
    }
  }
}
