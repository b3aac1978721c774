package dev.wharf.load.internal;

import dev.wharf.load.LoadPlan;
import dev.wharf.load.Target;
import dev.wharf.load.wire.PatternStream;
import dev.wharf.load.wire.RepeatedMessage;
import dev.wharf.load.wire.WsClientCodec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A {@link LoadPlan} made ready to run: the address resolved once, the request (or frame) bytes
 * made once for every connection of the run, and the TLS context. Immutable after construction, so
 * the workers share it; the buffers are read-only and each connection reads through its own view.
 */
public final class Plan {
  /** The fixed mask key of every frame: it lets a frame be made once (no script runs here). */
  private static final int MASK_KEY = 0x5a3c_9e17;

  /** Copies of a request in the shared buffer: deeper pipelines wait for the socket anyway. */
  private static final int MAX_COPIES = 64;

  private final LoadPlan plan;
  private final InetSocketAddress address;
  private final SSLContext tls;
  private final ByteBuffer source;
  private final int length;
  private final ByteBuffer upgradeSource;
  private final int upgradeLength;
  private final ByteBuffer greetingSource;
  private final int greetingLength;
  private final Http2Requests http2Requests;

  public Plan(LoadPlan plan, InetSocketAddress address, SSLContext tls) {
    this.plan = plan;
    this.address = address;
    this.tls = tls;
    Target target = plan.target();
    int copies = Math.min(plan.pipeline(), MAX_COPIES);
    http2Requests = plan.http2() ? new Http2Requests(plan, target.scheme().isTls()) : null;
    if (plan.http2()) {
      source = null;
      length = 0;
    } else if (target.scheme().isHttp()) {
      byte[] request = httpRequest(plan);
      source = RepeatedMessage.source(request, copies);
      length = request.length;
    } else if (plan.hold().isOn()) {
      // A request is an empty masked Ping (RFC 6455 §5.5.2).
      byte[] ping = WsClientCodec.frame(WsClientCodec.OP_PING, false, new byte[0], MASK_KEY);
      source = RepeatedMessage.source(ping, 1);
      length = ping.length;
    } else if (target.scheme().isWebSocket()) {
      byte[] message = new byte[plan.messageSize()];
      byte[] words = "wharf bench ".getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < message.length; i++) {
        message[i] = words[i % words.length];
      }
      byte[] frame = WsClientCodec.frame(WsClientCodec.OP_TEXT, false, message, MASK_KEY);
      source = RepeatedMessage.source(frame, copies);
      length = frame.length;
    } else {
      source = PatternStream.source(Math.max(64 * 1024, plan.messageSize() * copies));
      length = plan.messageSize();
    }
    if (target.scheme().isWebSocket()) {
      byte[] upgrade = upgradeRequest(plan);
      upgradeSource = RepeatedMessage.source(upgrade, 1);
      upgradeLength = upgrade.length;
    } else {
      upgradeSource = null;
      upgradeLength = 0;
    }
    byte[] text = plan.hold().greeting().getBytes(StandardCharsets.UTF_8);
    if (plan.hold().isOn() && text.length > 0) {
      byte[] greeting = WsClientCodec.frame(WsClientCodec.OP_TEXT, false, text, MASK_KEY);
      greetingSource = RepeatedMessage.source(greeting, 1);
      greetingLength = greeting.length;
    } else {
      greetingSource = RepeatedMessage.source(new byte[1], 1);
      greetingLength = 0;
    }
  }

  public LoadPlan plan() {
    return plan;
  }

  InetSocketAddress address() {
    return address;
  }

  int pipeline() {
    return plan.pipeline();
  }

  boolean tls() {
    return plan.target().scheme().isTls();
  }

  /** A client engine for one connection: SNI and host name checks for the target's host. */
  SSLEngine sslEngine() {
    Target target = plan.target();
    SSLEngine engine = tls.createSSLEngine(target.host(), target.port());
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    if (!plan.insecure()) {
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (plan.http2()) {
      parameters.setApplicationProtocols(new String[] {"h2"});
    } else if (target.scheme().isHttp()) {
      parameters.setApplicationProtocols(new String[] {"http/1.1"});
    }
    engine.setSSLParameters(parameters);
    return engine;
  }

  /** The exchange of one new connection. */
  Exchange exchange(Connection connection) {
    var scheme = plan.target().scheme();
    if (http2Requests != null) {
      return new Http2Exchange(connection, http2Requests, plan.pipeline());
    } else if (scheme.isHttp()) {
      return new HttpExchange(connection, source, length, plan.method().equals("HEAD"));
    } else if (plan.hold().isOn()) {
      return new WsHoldExchange(
          connection, upgradeSource, upgradeLength, greetingSource, greetingLength, source, length);
    } else if (scheme.isWebSocket()) {
      return new WsExchange(
          connection, upgradeSource, upgradeLength, source, length, plan.messageSize());
    }
    return new EchoExchange(connection, source, length);
  }

  /** The request every connection sends: its head, then the body with its Content-Length. */
  static byte[] httpRequest(LoadPlan plan) {
    var head = new StringBuilder();
    head.append(plan.method()).append(' ').append(plan.target().path()).append(" HTTP/1.1\r\n");
    boolean host = false;
    boolean length = false;
    for (String header : plan.headers()) {
      String name = header.substring(0, header.indexOf(':')).trim();
      host |= name.equalsIgnoreCase("host");
      length |= name.equalsIgnoreCase("content-length");
      head.append(header).append("\r\n");
    }
    if (!host) {
      head.append("Host: ").append(plan.target().authority()).append("\r\n");
    }
    byte[] body = plan.body();
    if (!length && (body.length > 0 || !Arrays.asList("GET", "HEAD").contains(plan.method()))) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = Arrays.copyOf(headBytes, headBytes.length + body.length);
    System.arraycopy(body, 0, request, headBytes.length, body.length);
    return request;
  }

  /** The opening handshake (RFC 6455 §4.1), with the plan's extra headers. */
  static byte[] upgradeRequest(LoadPlan plan) {
    byte[] nonce = "wharf-bench-key!".getBytes(StandardCharsets.US_ASCII); // 16 bytes
    var head = new StringBuilder();
    head.append("GET ").append(plan.target().path()).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(plan.target().authority()).append("\r\n");
    head.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    head.append("Sec-WebSocket-Key: ")
        .append(Base64.getEncoder().encodeToString(nonce))
        .append("\r\n");
    head.append("Sec-WebSocket-Version: 13\r\n");
    for (String header : plan.headers()) {
      head.append(header).append("\r\n");
    }
    head.append("\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
