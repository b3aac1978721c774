package dev.wharf.bench.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Date;

/**
 * The HTTP/2 twin of {@link NettyStaticFileHandler}, in the style of Netty's
 * Http2StaticFileServer-less examples (HelloWorldHttp2Handler on {@code Http2FrameCodec}): GET
 * only, the path resolved under the root, the file opened and read per request into a pooled buffer
 * (an HTTP/2 DATA frame cannot be a {@code FileRegion}), HEADERS with content-length, content-type,
 * last-modified, date and server, then one DATA frame ending the stream. The codec splits it by
 * frame size and flow control. One handler per channel.
 */
final class NettyHttp2StaticFileHandler extends ChannelDuplexHandler {
  private final Path root;

  NettyHttp2StaticFileHandler(Path root) {
    this.root = root;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    try {
      if (msg instanceof Http2HeadersFrame headers && headers.isEndStream()) {
        respond(ctx, headers.stream(), headers.headers());
      } else if (msg instanceof Http2HeadersFrame headers) {
        respond(ctx, headers.stream(), headers.headers()); // A body, if any, is not read.
      } else if (!(msg instanceof Http2DataFrame)) {
        super.channelRead(ctx, ReferenceCountUtil.retain(msg));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  private void respond(ChannelHandlerContext ctx, Http2FrameStream stream, Http2Headers request)
      throws IOException {
    if (!"GET".contentEquals(request.method())) {
      error(ctx, stream, "405");
      return;
    }
    Path file = resolve(request.path().toString());
    if (file == null || !Files.isRegularFile(file)) {
      error(ctx, stream, "404");
      return;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      int length = (int) channel.size();
      ByteBuf body = ctx.alloc().ioBuffer(length);
      try {
        while (body.writableBytes() > 0
            && body.writeBytes(channel, body.writerIndex(), body.writableBytes()) > 0) {
          // Reads until the buffer is full.
        }
      } catch (IOException e) {
        body.release();
        throw e;
      }
      Http2Headers headers =
          new DefaultHttp2Headers()
              .status("200")
              .setInt(HttpHeaderNames.CONTENT_LENGTH, length)
              .set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
              .set(
                  HttpHeaderNames.LAST_MODIFIED,
                  DateFormatter.format(new Date(Files.getLastModifiedTime(file).toMillis())))
              .set(HttpHeaderNames.DATE, NettyDate.now())
              .set(HttpHeaderNames.SERVER, "netty");
      ctx.write(new DefaultHttp2HeadersFrame(headers).stream(stream));
      ctx.write(new DefaultHttp2DataFrame(body, true).stream(stream));
    }
  }

  private static void error(ChannelHandlerContext ctx, Http2FrameStream stream, String status) {
    ctx.write(
        new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(status), true)
            .stream(stream));
  }

  /** The file under the root for a request path, or null for one that leaves it. */
  private Path resolve(String path) {
    int query = path.indexOf('?');
    String clean = query < 0 ? path : path.substring(0, query);
    if (!clean.startsWith("/") || clean.contains("/.") || clean.contains("\\")) {
      return null;
    }
    Path file = root.resolve(clean.substring(1)).normalize();
    return file.startsWith(root) ? file : null;
  }
}
