package dev.wharf.bench.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * TechEmpower's plaintext test on Netty's HTTP codec, in the shape of Netty's own TechEmpower
 * entry: behind an {@code HttpServerCodec} (no aggregator: a GET has no body), answers {@code GET
 * /plaintext} with a shared read-only body and Content-Type, Server, Date and Content-Length;
 * writes per request and flushes once per read batch ({@code channelReadComplete}), so pipelined
 * requests go out together. Anything else gets 404.
 */
@Sharable
final class NettyPlaintextHandler extends ChannelInboundHandlerAdapter {
  static final NettyPlaintextHandler INSTANCE = new NettyPlaintextHandler();

  private static final ByteBuf HELLO =
      Unpooled.unreleasableBuffer(
              Unpooled.directBuffer()
                  .writeBytes("Hello, World!".getBytes(StandardCharsets.US_ASCII)))
          .asReadOnly();
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
  private static final AsciiString SERVER = AsciiString.cached("netty");
  private static final AsciiString HELLO_LENGTH =
      AsciiString.cached(Integer.toString(HELLO.readableBytes()));

  private NettyPlaintextHandler() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpRequest request)) {
      ReferenceCountUtil.release(msg); // body parts (none for GET) and LastHttpContent
      return;
    }
    try {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      FullHttpResponse response;
      if (request.uri().equals("/plaintext")) {
        response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, HELLO.duplicate());
        response
            .headers()
            .set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
            .set(HttpHeaderNames.CONTENT_LENGTH, HELLO_LENGTH);
      } else {
        response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
      }
      response
          .headers()
          .set(HttpHeaderNames.SERVER, SERVER)
          .set(HttpHeaderNames.DATE, NettyDate.now());
      if (keepAlive) {
        ctx.write(response, ctx.voidPromise());
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // A reset peer at the end of a window is normal.
  }
}
