package dev.wharf.bench;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Netty's side of every echo benchmark (TCP, TLS, WebSocket): writes each message back, flushes
 * once per read batch, and has the backpressure of Wharf's echo: reading stops while the channel is
 * unwritable (past the write queue's high watermark) and resumes when it drains. Runs on the
 * channel's event loop; one instance serves every channel.
 */
@Sharable
public class NettyEcho extends ChannelInboundHandlerAdapter {
  public static final NettyEcho INSTANCE = new NettyEcho();

  protected NettyEcho() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ctx.write(msg, ctx.voidPromise());
    if (!ctx.channel().isWritable()) {
      ctx.flush();
      if (!ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset peer (the accept and handshake tests close with SO_LINGER 0, a generator resets at
    // the end of a window) is normal here: close quietly.
    ctx.close();
  }
}
