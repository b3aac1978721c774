package dev.wharf.http.h2.client;

import dev.wharf.core.Cancellable;
import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.ConnectionTimeoutException;
import dev.wharf.core.Durations;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.ResponseHead;
import dev.wharf.http.client.ClientRequest;
import dev.wharf.http.client.ExchangeTimings;
import dev.wharf.http.h2.ReceiveWindow;
import dev.wharf.http.h2.SendWindows;
import dev.wharf.http.h2.StreamIds;
import dev.wharf.http.h2.frame.ConnectionPreface;
import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.FrameType;
import dev.wharf.http.h2.frame.Http2Exception;
import dev.wharf.http.h2.frame.Http2FrameDecoder;
import dev.wharf.http.h2.frame.Http2FrameEncoder;
import dev.wharf.http.h2.frame.Http2FrameListener;
import dev.wharf.http.h2.frame.Http2Settings;
import dev.wharf.http.h2.hpack.HeaderField;
import dev.wharf.http.h2.hpack.HpackDecoder;
import dev.wharf.http.h2.hpack.HpackEncoder;
import dev.wharf.http.h2.hpack.HpackException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client side of HTTP/2 (RFC 9113) on one connection: many exchanges at once, each on a stream
 * of its own, as many as the server's SETTINGS_MAX_CONCURRENT_STREAMS allows, the rest queued.
 * Request bodies go out as DATA within the server's flow-control windows; response bodies are
 * handed to the listener as they come, and the windows given back at once.
 *
 * <pre>
 *   opened: preface, SETTINGS, WINDOW_UPDATE (connection window to 16 MiB), PING (round trip)
 *   send:   queued --(a stream free)--> HEADERS [+ DATA...] --> head, body..., trailers --> done
 *   GOAWAY: streams past the last id, and the queue, fail as unprocessed (the client retries);
 *           the rest finish, then the connection closes
 * </pre>
 *
 * <p>Errors as RFC 9113 §5.4 has them: a stream error resets that stream (RST_STREAM with its code)
 * and fails its exchange only; a connection error sends GOAWAY and fails them all.
 *
 * <p>Runs on the connection's loop; {@link #send}, {@link #isUsable} and {@link #shutdown} may be
 * called from any thread.
 */
public final class Http2ClientConnection implements Protocol, Http2FrameListener {
  private static final System.Logger LOG = LazyLogger.of(Http2ClientConnection.class);

  /** Told when the connection takes no new exchanges (GOAWAY, closed, stream ids used up). */
  public interface Owner {
    void unusable(Http2ClientConnection connection);
  }

  /** Our SETTINGS_INITIAL_WINDOW_SIZE: what each stream may receive before we grant more. */
  static final int STREAM_WINDOW = 1 << 20;

  /** The connection's receive window, raised from the fixed 65,535 at once (§6.9.2). */
  static final int CONNECTION_WINDOW = 16 << 20;

  /** How far auto-tuning may grow a stream's window. */
  static final int MAX_STREAM_WINDOW = 16 << 20;

  /** Our SETTINGS_MAX_HEADER_LIST_SIZE: a response head (or trailers) larger is refused. */
  static final int MAX_HEADER_LIST_SIZE = 64 * 1024;

  /** Streams we open before the server's SETTINGS say how many it allows (§5.1.2: unlimited). */
  static final int ASSUMED_MAX_CONCURRENT_STREAMS = 100;

  /** How long the server may take to acknowledge our SETTINGS (§6.5.3). */
  static final Duration SETTINGS_TIMEOUT = Duration.ofSeconds(10);

  /** The DATA frames we send carry at most this (the smallest maximum every peer accepts). */
  private static final int DATA_FRAME_BYTES = FrameType.MIN_MAX_FRAME_SIZE;

  /** How many ids of streams we reset are remembered, to ignore what the server still sends. */
  private static final int REMEMBERED_RESETS = 1024;

  private static final long PING_DATA = 0x77686172_66683263L; // "wharfh2c"

  private final Owner owner;
  private final Http2FrameDecoder decoder =
      new Http2FrameDecoder(Http2FrameDecoder.Limits.defaults(), false);
  private final Http2FrameEncoder encoder = new Http2FrameEncoder();
  private final HpackEncoder hpackEncoder = new HpackEncoder(HpackEncoder.DEFAULT_TABLE_SIZE);
  private final HpackDecoder hpackDecoder =
      new HpackDecoder(HpackEncoder.DEFAULT_TABLE_SIZE, MAX_HEADER_LIST_SIZE);
  private final StreamIds ids = new StreamIds(false);
  private final SendWindows sendWindows = new SendWindows();
  private final ReceiveWindow connectionWindow =
      new ReceiveWindow(0, SendWindows.DEFAULT_WINDOW, CONNECTION_WINDOW);
  private final Map<Integer, ClientStream> streams = new HashMap<>();
  private final ArrayDeque<Exchange> queued = new ArrayDeque<>();
  private final Set<ClientStream> blocked = new LinkedHashSet<>(); // body waiting for window
  private final Set<Integer> resetByUs = new LinkedHashSet<>();
  private final ByteBuffer frame = ByteBuffer.allocate(FrameType.HEADER_BYTES + DATA_FRAME_BYTES);
  private volatile Connection connection;
  private volatile boolean usable = true;
  private long peerMaxConcurrentStreams = ASSUMED_MAX_CONCURRENT_STREAMS;
  private boolean settingsAcked;
  private Cancellable settingsTimer;
  private long pingSentNanos;
  private boolean pingOutstanding;
  private long roundTripNanos;
  private boolean closing;

  public Http2ClientConnection(Owner owner) {
    this.owner = owner;
  }

  @Override
  public String name() {
    return "h2 client";
  }

  /** Whether new exchanges may go on this connection: open, no GOAWAY, ids left. Any thread. */
  public boolean isUsable() {
    Connection c = connection;
    return usable && c != null && c.isOpen();
  }

  /**
   * Sends an exchange on a stream of its own, or queues it until a stream is free; any thread. If
   * the connection takes no more exchanges, the listener fails with {@link
   * UnprocessedRequestException}, and the request can go on another connection.
   */
  public void send(Exchange exchange) {
    connection.execute(() -> startOrQueue(exchange));
  }

  /** Says goodbye (GOAWAY NO_ERROR) and closes once that is written; any thread. */
  public void shutdown() {
    Connection c = connection;
    if (c != null) {
      c.execute(
          () -> {
            if (!closing) {
              closing = true;
              markUnusable();
              writeGoAway(ErrorCode.NO_ERROR, "");
              c.closeAfterFlush();
            }
          });
    }
  }

  // ---- the connection's life ----

  @Override
  public void opened(Connection c) {
    this.connection = c;
    var settings =
        new Http2Settings()
            .set(Http2Settings.ENABLE_PUSH, 0) // §8.4: we take no pushes
            .set(Http2Settings.INITIAL_WINDOW_SIZE, STREAM_WINDOW)
            .set(Http2Settings.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_SIZE);
    var out = ByteBuffer.allocate(128);
    // RFC 9113 §3.4: the preface, then SETTINGS as our first frame.
    ConnectionPreface.write(out);
    encoder.writeSettings(out, settings);
    // RFC 9113 §6.9.2: the connection window starts at 65,535 whatever SETTINGS say; raise it.
    encoder.writeWindowUpdate(out, 0, connectionWindow.growTo(CONNECTION_WINDOW));
    encoder.writePing(out, PING_DATA, false);
    pingSentNanos = c.nanoTime();
    pingOutstanding = true;
    c.write(out.flip());
    settingsTimer = c.schedule(SETTINGS_TIMEOUT, this::settingsTimedOut);
  }

  private void settingsTimedOut() {
    if (!settingsAcked) {
      // RFC 9113 §6.5.3: no ACK in reasonable time is a connection error SETTINGS_TIMEOUT.
      connectionError(
          Http2Exception.connectionError(
              ErrorCode.SETTINGS_TIMEOUT,
              "no SETTINGS acknowledgement within " + Durations.format(SETTINGS_TIMEOUT)));
    }
  }

  @Override
  public void received(Connection c, ByteBuffer data) {
    while (data.hasRemaining() && !closing) {
      try {
        decoder.decode(data, this);
      } catch (Http2Exception e) {
        if (e.isStreamError()) {
          resetStream(e); // §5.4.2: the rest of the input is still the connection's
          continue;
        }
        connectionError(e);
        return;
      }
    }
  }

  @Override
  public void inputClosed(Connection c) {
    c.close();
  }

  @Override
  public void writabilityChanged(Connection c, boolean writable) {
    if (writable) {
      sendBlocked();
    }
  }

  @Override
  public void closed(Connection c, CloseReason reason) {
    markUnusable();
    closing = true;
    if (settingsTimer != null) {
      settingsTimer.cancel();
    }
    String why =
        reason
            .error()
            .map(e -> e.getMessage() != null ? e.getMessage() : e.toString())
            .orElse(reason.message());
    for (ClientStream stream : List.copyOf(streams.values())) {
      closeStream(stream);
      boolean unanswered = !stream.headReceived && stream.exchange.reused();
      fail(
          stream.exchange,
          unanswered
              ? new UnprocessedRequestException(
                  "the server closed the HTTP/2 connection before answering: " + why, false)
              : reason.error().orElseGet(() -> new IOException("connection closed: " + why)));
    }
    failQueued("the HTTP/2 connection closed before the request was sent");
  }

  // ---- sending requests ----

  private void startOrQueue(Exchange exchange) {
    if (closing || !usable) {
      fail(exchange, new UnprocessedRequestException("the HTTP/2 connection is going away", true));
    } else if (streams.size() >= peerMaxConcurrentStreams) {
      queued.add(exchange); // §5.1.2: no more streams than the server allows
    } else {
      open(exchange);
    }
  }

  private void startQueued() {
    while (!queued.isEmpty() && streams.size() < peerMaxConcurrentStreams && usable) {
      open(queued.poll());
    }
  }

  private void open(Exchange exchange) {
    List<HeaderField> fields;
    try {
      fields = RequestFields.of(exchange.request(), exchange.url());
    } catch (IllegalArgumentException e) {
      fail(exchange, e);
      return;
    }
    int id = ids.nextLocalStreamId();
    if (!ids.hasLocalStreamIds()) {
      markUnusable(); // §5.1.1: the next exchange needs a new connection
    }
    var window = new ReceiveWindow(id, STREAM_WINDOW, MAX_STREAM_WINDOW);
    window.roundTrip(roundTripNanos);
    var stream = new ClientStream(id, exchange, window);
    boolean endStream = exchange.request().body().length() == 0;
    if (!endStream) {
      try {
        stream.body =
            OutgoingBody.of(
                exchange.request().body(),
                connection,
                () -> sendData(stream),
                e -> failStream(stream, ErrorCode.CANCEL, e));
      } catch (IOException e) {
        fail(exchange, e);
        return;
      }
    }
    var listener = exchange.listener();
    listener.connected(connection.localAddress(), connection.remoteAddress(), exchange.reused());
    if (!exchange.reused()) {
      TlsSession.of(connection).ifPresent(listener::tlsEstablished);
    }
    listener.streamOpened("HTTP/2", id);
    listener.requestHead(
        ByteBuffer.wrap(RequestFields.describe(fields).getBytes(StandardCharsets.ISO_8859_1)));
    streams.put(id, stream);
    sendWindows.open(id);
    hpackEncoder.beginBlock();
    for (HeaderField field : fields) {
      hpackEncoder.field(field.name(), field.value());
    }
    ByteBuffer block = hpackEncoder.endBlock();
    var out = ByteBuffer.allocate(encoder.headersBytes(block.remaining()));
    encoder.writeHeaders(out, id, block, endStream);
    connection.write(out.flip());
    stream.state.sendHeaders(endStream);
    stream.sentNanos = System.nanoTime();
    Duration timeout = exchange.responseTimeout();
    if (!timeout.isZero()) {
      stream.timer =
          connection.schedule(
              timeout,
              () ->
                  failStream(
                      stream,
                      ErrorCode.CANCEL,
                      new ConnectionTimeoutException(
                          "no complete response within " + Durations.format(timeout))));
    }
    if (stream.body != null && exchange.request().expectsContinue()) {
      // RFC 9110 §10.1.1: the body follows the server's 100, or a short wait for it.
      stream.awaitingContinue = true;
      stream.continueTimer =
          connection.schedule(ClientRequest.EXPECT_CONTINUE_TIMEOUT, () -> continueBody(stream));
    } else if (stream.body != null) {
      sendData(stream);
    }
  }

  /** The server said 100, or did not answer in time: the body goes now. */
  private void continueBody(ClientStream stream) {
    if (stream.awaitingContinue && streams.get(stream.id) == stream) {
      stream.stopWaitingForContinue();
      sendData(stream);
    }
  }

  /** Sends what the stream's body has ready, as far as the windows and the socket allow. */
  private void sendData(ClientStream stream) {
    if (stream.awaitingContinue) {
      return; // continueBody sends it
    }
    while (stream.body != null && streams.get(stream.id) == stream) {
      int room =
          sendWindows.sendable(stream.id, Math.min(DATA_FRAME_BYTES, encoder.maxFrameSize()));
      if (room == 0 || !connection.isWritable()) {
        blocked.add(stream); // §6.9: a WINDOW_UPDATE, or a drained queue, resumes it
        return;
      }
      frame.clear().position(FrameType.HEADER_BYTES);
      int n;
      try {
        n = stream.body.read(frame, room);
      } catch (IOException e) {
        failStream(stream, ErrorCode.CANCEL, e);
        return;
      }
      boolean end = stream.body.isDone();
      if (n == 0 && !end) {
        return; // the body's channel tells when more is ready
      }
      frame.position(0);
      encoder.writeDataHeader(frame, stream.id, n, end);
      connection.write(frame.position(0).limit(FrameType.HEADER_BYTES + n));
      sendWindows.consume(stream.id, n);
      stream.state.sendData(end);
      if (end) {
        stream.body = null;
        blocked.remove(stream);
      }
    }
  }

  private void sendBlocked() {
    for (ClientStream stream : List.copyOf(blocked)) {
      blocked.remove(stream);
      sendData(stream);
    }
  }

  // ---- frames received ----

  @Override
  public void onHeaders(int streamId, ByteBuffer fieldBlock, boolean endStream) {
    ClientStream stream = streams.get(streamId);
    var fields = new ResponseFields(streamId, stream != null && stream.headReceived);
    HpackDecoder.Outcome outcome;
    try {
      // RFC 9113 §4.3: every block is decoded, whatever becomes of its stream, so that the
      // dynamic table stays the server's.
      outcome = hpackDecoder.decode(fieldBlock, fields);
    } catch (HpackException e) {
      // RFC 9113 §4.3: a block that cannot be decoded is a connection error COMPRESSION_ERROR.
      throw Http2Exception.connectionError(ErrorCode.COMPRESSION_ERROR, e.getMessage());
    }
    if (stream == null) {
      unknownStream(streamId, "HEADERS");
      return;
    }
    if (!stream.state.receiveHeaders(endStream)) {
      return;
    }
    if (outcome == HpackDecoder.Outcome.HEADER_LIST_TOO_LARGE) {
      failStream(
          stream,
          ErrorCode.CANCEL,
          new ProtocolException(
              "bad response: header section exceeds " + MAX_HEADER_LIST_SIZE + " bytes"));
      return;
    }
    fields.check();
    if (stream.headReceived) {
      // RFC 9113 §8.1: trailers are a HEADERS frame that ends the stream.
      if (!endStream) {
        throw Http2Exception.streamError(
            streamId, ErrorCode.PROTOCOL_ERROR, "a second HEADERS without END_STREAM");
      }
      stream.exchange.listener().trailers(fields.headers());
      responseEnded(stream);
      return;
    }
    int status = fields.status();
    if (status < 200) {
      // RFC 9113 §8.1: informational heads precede the final one and never end the stream;
      // §8.6: 101 has no place in HTTP/2.
      if (endStream || status == 101) {
        throw Http2Exception.streamError(
            streamId, ErrorCode.PROTOCOL_ERROR, "informational status " + status + " ends it");
      }
      if (status == 100) {
        continueBody(stream);
      }
      return;
    }
    // RFC 9110 §10.1.1: a final answer before the 100 means the body is not wanted; once the
    // response ends, responseEnded resets our side.
    stream.stopWaitingForContinue();
    stream.headReceived = true;
    stream.firstByteNanos = System.nanoTime();
    Headers headers = fields.headers();
    boolean bodyless =
        stream.exchange.request().method().equals("HEAD") || status == 204 || status == 304;
    if (!bodyless) {
      stream.expectedLength = contentLength(streamId, headers);
    }
    stream.exchange.listener().head(new ResponseHead("HTTP/2", status, "", headers));
    if (endStream) {
      responseEnded(stream);
    }
  }

  private static long contentLength(int streamId, Headers headers) {
    var value = headers.first("content-length");
    if (value.isEmpty()) {
      return -1;
    }
    try {
      long length = Long.parseLong(value.get().trim());
      if (length >= 0) {
        return length;
      }
    } catch (NumberFormatException e) {
      // Malformed, below.
    }
    throw Http2Exception.streamError(
        streamId, ErrorCode.PROTOCOL_ERROR, "content-length " + value.get());
  }

  @Override
  public void onData(int streamId, ByteBuffer data, int flowControlledLength, boolean endStream) {
    // RFC 9113 §6.9: every DATA frame counts against the connection window, even one dropped.
    connectionWindow.receive(flowControlledLength);
    ClientStream stream = streams.get(streamId);
    boolean wanted = false;
    try {
      if (stream == null) {
        unknownStream(streamId, "DATA");
        return;
      }
      if (!stream.state.receiveData(endStream)) {
        return;
      }
      stream.window.receive(flowControlledLength);
      wanted = true;
    } finally {
      if (!wanted) {
        giveBackConnectionWindow(flowControlledLength);
      }
    }
    if (!stream.headReceived) {
      giveBackConnectionWindow(flowControlledLength);
      // RFC 9113 §8.1: a response begins with HEADERS.
      throw Http2Exception.streamError(streamId, ErrorCode.PROTOCOL_ERROR, "DATA before HEADERS");
    }
    stream.receivedLength += data.remaining();
    if (stream.expectedLength >= 0 && stream.receivedLength > stream.expectedLength) {
      giveBackConnectionWindow(flowControlledLength);
      // RFC 9113 §8.1.1: DATA beyond content-length makes the response malformed.
      throw Http2Exception.streamError(
          streamId,
          ErrorCode.PROTOCOL_ERROR,
          "more DATA than the content-length of " + stream.expectedLength);
    }
    stream.exchange.listener().body(data);
    // The listener has taken the bytes: both windows are given back (no WINDOW_UPDATE for a
    // stream that has ended).
    int increment = stream.window.consumed(flowControlledLength, connection.nanoTime());
    if (increment > 0 && !endStream) {
      writeWindowUpdate(streamId, increment);
    }
    giveBackConnectionWindow(flowControlledLength);
    if (endStream) {
      responseEnded(stream);
    }
  }

  private void giveBackConnectionWindow(int bytes) {
    int increment = connectionWindow.consumed(bytes, connection.nanoTime());
    if (increment > 0) {
      writeWindowUpdate(0, increment);
    }
  }

  /** A frame on a stream we do not hold: never opened, or done with. */
  private void unknownStream(int streamId, String frameType) {
    // RFC 9113 §5.1: on an idle stream only HEADERS (of a stream we open) and PRIORITY may come;
    // §8.4: a server opens no stream of its own when push is off.
    if (ids.isIdle(streamId)) {
      throw Http2Exception.connectionError(
          ErrorCode.PROTOCOL_ERROR, frameType + " on idle stream " + streamId);
    }
    if (resetByUs.contains(streamId)) {
      return; // §5.1: what the server sent before it saw our RST_STREAM is ignored
    }
    // RFC 9113 §5.1: a frame on a closed stream is STREAM_CLOSED.
    throw Http2Exception.streamError(
        streamId, ErrorCode.STREAM_CLOSED, frameType + " on closed stream " + streamId);
  }

  /** The response is complete: the exchange ends, its stream with it. */
  private void responseEnded(ClientStream stream) {
    if (stream.expectedLength >= 0 && stream.receivedLength != stream.expectedLength) {
      // RFC 9113 §8.1.1: a content-length that differs from the DATA received is malformed.
      throw Http2Exception.streamError(
          stream.id,
          ErrorCode.PROTOCOL_ERROR,
          "the body ended after "
              + stream.receivedLength
              + " of the "
              + stream.expectedLength
              + " bytes of its content-length");
    }
    if (stream.state.canSend()) {
      // RFC 9113 §8.1: the server answered before our body was all sent; we stop sending it.
      writeRstStream(stream.id, ErrorCode.CANCEL);
      stream.state.sendRstStream();
    }
    closeStream(stream);
    Exchange exchange = stream.exchange;
    long now = System.nanoTime();
    exchange
        .listener()
        .complete(
            new ExchangeTimings(
                exchange.reused(),
                exchange.resolve(),
                connection.localAddress(),
                connection.remoteAddress(),
                exchange.connect(),
                Duration.ofNanos(Math.max(0, stream.firstByteNanos - stream.sentNanos)),
                Duration.ofNanos(now - exchange.startNanos()),
                TlsSession.of(connection)));
  }

  @Override
  public void onRstStream(int streamId, int errorCode) {
    ClientStream stream = streams.get(streamId);
    if (stream == null) {
      if (ids.isIdle(streamId)) {
        // RFC 9113 §6.4: RST_STREAM on an idle stream is a connection error PROTOCOL_ERROR.
        throw Http2Exception.connectionError(
            ErrorCode.PROTOCOL_ERROR, "RST_STREAM on idle stream " + streamId);
      }
      return;
    }
    stream.state.receiveRstStream();
    closeStream(stream);
    ErrorCode code = ErrorCode.of(errorCode);
    // RFC 9113 §8.7: REFUSED_STREAM says the request was not processed, so it may be sent again.
    fail(
        stream.exchange,
        code == ErrorCode.REFUSED_STREAM
            ? new UnprocessedRequestException("the server refused stream " + streamId, true)
            : new IOException("the server reset stream " + streamId + ": " + code));
  }

  @Override
  public void onSettings(Http2Settings settings) {
    // RFC 9113 §6.5.2: a server must not enable push; a client treats 1 as PROTOCOL_ERROR.
    if (settings.get(Http2Settings.ENABLE_PUSH).orElse(0) != 0) {
      throw Http2Exception.connectionError(
          ErrorCode.PROTOCOL_ERROR, "the server sent SETTINGS_ENABLE_PUSH 1");
    }
    settings.get(Http2Settings.HEADER_TABLE_SIZE).ifPresent(hpackEncoder::setPeerMaxTableSize);
    settings.get(Http2Settings.MAX_FRAME_SIZE).ifPresent(size -> encoder.maxFrameSize((int) size));
    settings
        .get(Http2Settings.MAX_CONCURRENT_STREAMS)
        .ifPresent(max -> peerMaxConcurrentStreams = max);
    settings.get(Http2Settings.INITIAL_WINDOW_SIZE).ifPresent(sendWindows::initialWindowSize);
    var out = ByteBuffer.allocate(FrameType.HEADER_BYTES);
    encoder.writeSettingsAck(out);
    connection.write(out.flip());
    startQueued();
    sendBlocked();
  }

  @Override
  public void onSettingsAck() {
    settingsAcked = true;
    if (settingsTimer != null) {
      settingsTimer.cancel();
      settingsTimer = null;
    }
  }

  @Override
  public void onPing(long data, boolean ack) {
    if (!ack) {
      // RFC 9113 §6.7: a PING is answered with the same data and ACK.
      var out = ByteBuffer.allocate(FrameType.HEADER_BYTES + 8);
      encoder.writePing(out, data, true);
      connection.write(out.flip());
    } else if (data == PING_DATA && pingOutstanding) {
      roundTripNanos = connection.nanoTime() - pingSentNanos;
      pingOutstanding = false;
      connectionWindow.roundTrip(roundTripNanos);
      streams.values().forEach(s -> s.window.roundTrip(roundTripNanos));
    }
  }

  @Override
  public void onGoAway(int lastStreamId, int errorCode, ByteBuffer debugData) {
    markUnusable();
    ErrorCode code = ErrorCode.of(errorCode);
    String debug = StandardCharsets.UTF_8.decode(debugData).toString();
    LOG.log(
        System.Logger.Level.DEBUG,
        () -> connection + ": GOAWAY " + code + " last stream " + lastStreamId + " " + debug);
    // RFC 9113 §6.8: streams above the last id were not processed and may be retried elsewhere.
    for (ClientStream stream : List.copyOf(streams.values())) {
      if (stream.id > lastStreamId) {
        closeStream(stream);
        fail(
            stream.exchange,
            new UnprocessedRequestException(
                "the server sent GOAWAY (" + code + ") before stream " + stream.id, true));
      }
    }
    failQueued("the server sent GOAWAY (" + code + ")");
    closeIfDone();
  }

  @Override
  public void onWindowUpdate(int streamId, int increment) {
    if (streamId == 0) {
      sendWindows.windowUpdate(0, increment);
      sendBlocked();
      return;
    }
    ClientStream stream = streams.get(streamId);
    if (stream == null) {
      if (ids.isIdle(streamId)) {
        // RFC 9113 §5.1: WINDOW_UPDATE on an idle stream is a connection error PROTOCOL_ERROR.
        throw Http2Exception.connectionError(
            ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE on idle stream " + streamId);
      }
      return; // §6.9: it may trail the stream's end
    }
    if (stream.state.receiveWindowUpdate()) {
      sendWindows.windowUpdate(streamId, increment);
      blocked.remove(stream);
      sendData(stream);
    }
  }

  @Override
  public void onPriority(int streamId, int streamDependency, boolean exclusive, int weight) {
    // RFC 9113 §5.3.2: priority signals are deprecated; a client has nothing to do with them.
  }

  @Override
  public void onPushPromise(int streamId, int promisedStreamId, ByteBuffer fieldBlock) {
    // The decoder refuses PUSH_PROMISE, as we sent SETTINGS_ENABLE_PUSH 0 (§6.6).
    throw Http2Exception.connectionError(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE with push off");
  }

  @Override
  public void onStreamError(Http2Exception error) {
    resetStream(error);
  }

  // ---- errors and endings ----

  /** A stream error (§5.4.2): RST_STREAM with its code; its exchange fails, the rest go on. */
  private void resetStream(Http2Exception error) {
    ClientStream stream = streams.get(error.streamId());
    if (stream == null) {
      writeRstStream(error.streamId(), error.code());
      rememberReset(error.streamId());
      return;
    }
    failStream(
        stream, error.code(), new ProtocolException("bad HTTP/2 response: " + error.getMessage()));
  }

  /** Resets a stream of ours with {@code code} and fails its exchange with {@code error}. */
  private void failStream(ClientStream stream, ErrorCode code, Exception error) {
    if (streams.get(stream.id) != stream) {
      return; // already over
    }
    writeRstStream(stream.id, code);
    stream.state.sendRstStream();
    rememberReset(stream.id);
    closeStream(stream);
    fail(stream.exchange, error);
  }

  private void rememberReset(int streamId) {
    resetByUs.add(streamId);
    if (resetByUs.size() > REMEMBERED_RESETS) {
      resetByUs.remove(resetByUs.iterator().next());
    }
  }

  /** A connection error (§5.4.1): GOAWAY with its code, every exchange fails, the socket closes. */
  private void connectionError(Http2Exception error) {
    if (closing) {
      return;
    }
    LOG.log(System.Logger.Level.DEBUG, () -> connection + ": " + error.getMessage());
    closing = true;
    markUnusable();
    writeGoAway(error.code(), error.getMessage());
    var failure = new ProtocolException("bad HTTP/2 from the server: " + error.getMessage());
    for (ClientStream stream : List.copyOf(streams.values())) {
      closeStream(stream);
      fail(stream.exchange, failure);
    }
    failQueued("the HTTP/2 connection failed: " + error.getMessage());
    connection.closeAfterFlush();
  }

  private void closeStream(ClientStream stream) {
    streams.remove(stream.id);
    sendWindows.close(stream.id);
    blocked.remove(stream);
    stream.stop();
    if (!closing) {
      startQueued();
      closeIfDone();
    }
  }

  /** After a GOAWAY, once the last stream ends, the connection has nothing left to carry. */
  private void closeIfDone() {
    if (!usable && streams.isEmpty() && queued.isEmpty() && !closing) {
      closing = true;
      writeGoAway(ErrorCode.NO_ERROR, "");
      connection.closeAfterFlush();
    }
  }

  private void failQueued(String why) {
    while (!queued.isEmpty()) {
      fail(queued.poll(), new UnprocessedRequestException(why, true));
    }
  }

  private void markUnusable() {
    if (usable) {
      usable = false;
      owner.unusable(this);
    }
  }

  private static void fail(Exchange exchange, Throwable error) {
    exchange.listener().failed(error);
  }

  // ---- frames sent ----

  private void writeRstStream(int streamId, ErrorCode code) {
    var out = ByteBuffer.allocate(FrameType.HEADER_BYTES + 4);
    encoder.writeRstStream(out, streamId, code);
    connection.write(out.flip());
  }

  private void writeWindowUpdate(int streamId, int increment) {
    var out = ByteBuffer.allocate(FrameType.HEADER_BYTES + 4);
    encoder.writeWindowUpdate(out, streamId, increment);
    connection.write(out.flip());
  }

  private void writeGoAway(ErrorCode code, String debug) {
    byte[] text = debug.getBytes(StandardCharsets.UTF_8);
    var debugData = ByteBuffer.wrap(text, 0, Math.min(text.length, 256));
    var out = ByteBuffer.allocate(FrameType.HEADER_BYTES + 8 + debugData.remaining());
    // RFC 9113 §6.8: the last stream the server opened: none, as a server opens none here.
    encoder.writeGoAway(out, ids.lastPeerStreamId(), code, debugData);
    connection.write(out.flip());
  }

  @Override
  public String toString() {
    Connection c = connection;
    return "h2 client " + (c == null ? "(not connected)" : c.toString());
  }
}
