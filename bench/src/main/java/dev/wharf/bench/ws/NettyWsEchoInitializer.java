package dev.wharf.bench.ws;

import dev.wharf.bench.NettyEcho;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * WebSocket echo on Netty 4.2, in the shape of Netty's own WebSocket server example: {@code
 * HttpServerCodec}, {@code HttpObjectAggregator} (for the handshake request), with {@code deflate}
 * a {@code WebSocketServerCompressionHandler} (permessage-deflate, level 6, context takeover both
 * ways), {@code WebSocketServerProtocolHandler} (handshake, pings, close; UTF-8 of text frames
 * checked), then a handler that writes every data frame back and flushes once per read batch.
 *
 * <p>Frames and messages up to 4 MiB, Wharf's default limit (Netty's own is 64 KiB). Backpressure
 * as in the echo benchmark ({@link NettyEcho}): reading stops while the channel is unwritable.
 */
final class NettyWsEchoInitializer extends ChannelInitializer<SocketChannel> {
  static final int MAX_MESSAGE_BYTES = 4 << 20;

  private final boolean deflate;

  NettyWsEchoInitializer(boolean deflate) {
    this.deflate = deflate;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    var p = ch.pipeline();
    p.addLast(new HttpServerCodec(), new HttpObjectAggregator(65536));
    if (deflate) {
      p.addLast(new WebSocketServerCompressionHandler(MAX_MESSAGE_BYTES));
    }
    p.addLast(
        new WebSocketServerProtocolHandler(
            WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WsServerMain.PATH)
                .allowExtensions(deflate)
                .maxFramePayloadLength(MAX_MESSAGE_BYTES)
                .build()),
        Echo.INSTANCE);
  }

  /** Writes each data frame back as it came (after the decoder, so decompressed). */
  @Sharable
  static final class Echo extends NettyEcho {
    static final Echo INSTANCE = new Echo();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof TextWebSocketFrame
          || msg instanceof BinaryWebSocketFrame
          || msg instanceof ContinuationWebSocketFrame) {
        super.channelRead(ctx, msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
  }
}
