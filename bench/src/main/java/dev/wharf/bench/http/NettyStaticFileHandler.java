package dev.wharf.bench.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;

/**
 * A minimal static file server on Netty's HTTP codec, in the style of Netty's HttpStaticFileServer
 * example: GET only, the path resolved under the root (no dot segments, no hidden names), the file
 * opened per request, a head with Content-Length, Content-Type, Last-Modified, Date and Server,
 * then the body as a {@link DefaultFileRegion} (zero-copy: sendfile on epoll, {@code
 * FileChannel.transferTo} on NIO). No caching headers, ranges or listings; one handler per channel.
 */
final class NettyStaticFileHandler extends SimpleChannelInboundHandler<HttpRequest> {
  private final Path root;

  NettyStaticFileHandler(Path root) {
    this.root = root;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) throws IOException {
    if (!request.decoderResult().isSuccess()) {
      sendError(ctx, HttpResponseStatus.BAD_REQUEST, false);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.method().equals(HttpMethod.GET)) {
      sendError(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, keepAlive);
      return;
    }
    Path file = resolve(request.uri());
    if (file == null || !Files.isRegularFile(file)) {
      sendError(ctx, HttpResponseStatus.NOT_FOUND, keepAlive);
      return;
    }
    RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
    long length = raf.length();
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_LENGTH, length)
        .set(HttpHeaderNames.CONTENT_TYPE, contentType(file))
        .set(
            HttpHeaderNames.LAST_MODIFIED,
            DateFormatter.format(new Date(Files.getLastModifiedTime(file).toMillis())))
        .set(HttpHeaderNames.DATE, NettyDate.now())
        .set(HttpHeaderNames.SERVER, "netty");
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.write(response);
    ctx.write(new DefaultFileRegion(raf.getChannel(), 0, length), ctx.voidPromise());
    ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    if (!keepAlive) {
      last.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The file a request path names under the root, or null for anything suspicious. */
  private Path resolve(String uri) {
    String path = new QueryStringDecoder(uri).path(); // percent-decoded, without the query
    if (!path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
      return null;
    }
    for (String segment : path.substring(1).split("/")) {
      if (segment.startsWith(".")) {
        return null; // "..", "." and hidden names
      }
    }
    Path resolved = root.resolve(path.substring(1)).normalize();
    return resolved.startsWith(root) ? resolved : null;
  }

  private static String contentType(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".txt")) {
      return "text/plain; charset=utf-8";
    }
    return "application/octet-stream";
  }

  private static void sendError(
      ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
    if (keepAlive) {
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // A reset peer at the end of a window is normal.
  }
}
