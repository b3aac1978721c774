package dev.wharf.http.h2.server;

import dev.wharf.core.CloseReason;
import dev.wharf.core.Connection;
import dev.wharf.core.LazyLogger;
import dev.wharf.core.Pipe;
import dev.wharf.core.Protocol;
import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.RequestHead;
import dev.wharf.http.h2.ReceiveWindow;
import dev.wharf.http.h2.SendWindows;
import dev.wharf.http.h2.StreamIds;
import dev.wharf.http.h2.StreamState;
import dev.wharf.http.h2.frame.ConnectionPreface;
import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.FrameType;
import dev.wharf.http.h2.frame.Http2Exception;
import dev.wharf.http.h2.frame.Http2FrameDecoder;
import dev.wharf.http.h2.frame.Http2FrameEncoder;
import dev.wharf.http.h2.frame.Http2FrameListener;
import dev.wharf.http.h2.frame.Http2Settings;
import dev.wharf.http.h2.hpack.HpackDecoder;
import dev.wharf.http.h2.hpack.HpackEncoder;
import dev.wharf.http.h2.hpack.HpackException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server side of one HTTP/2 connection (RFC 9113), a core {@link Protocol} that runs on the
 * connection's loop: the client's preface, SETTINGS both ways, HEADERS (with CONTINUATION) through
 * HPACK into requests, DATA with flow control both ways, responses as HEADERS and DATA frames cut
 * to the windows (round robin among the streams that have output), RST_STREAM, PING, GOAWAY.
 *
 * <p>Errors follow RFC 9113 §5.4: a connection error sends GOAWAY with its code and closes; a
 * stream error sends RST_STREAM and the connection goes on. HPACK's table follows every header
 * block, even one for a stream that is refused or reset.
 *
 * <p>Bounds against the known attacks: at most {@code maxConcurrentStreams} streams, a stream
 * counting until its handler is done even when reset (rapid reset, CVE-2023-44487, can only queue
 * so much work; past a rate of resets the connection ends with ENHANCE_YOUR_CALM); the frame
 * decoder bounds field blocks and CONTINUATION frames (CVE-2024-27316); HPACK bounds the decoded
 * header list (431); SETTINGS, PING, PRIORITY and empty DATA frames are counted per second, and
 * control answers owed to a peer that does not read are counted too.
 */
public final class Http2ServerConnection implements Protocol, Http2FrameListener {
  private static final System.Logger LOG = LazyLogger.of(Http2ServerConnection.class);

  /** The version as requests and the access log show it. */
  public static final String VERSION = "HTTP/2.0";

  private static final int MAX_STREAM_WINDOW = 16 << 20;

  /** Control frames (SETTINGS, PING, PRIORITY, empty DATA) a peer may send per second. */
  static final int MAX_CONTROL_FRAMES_PER_SECOND = 1000;

  /** Streams a peer may reset, or have refused, per second before it is told to calm down. */
  static final int MAX_RESETS_PER_SECOND = 200;

  /** ACKs owed to a peer that is not reading, past which it is cut off. */
  private static final int MAX_OWED_ACKS = 100;

  /** Recently reset streams whose late frames are ignored rather than answered as errors. */
  private static final int RESET_MEMORY = 64;

  /** RFC 9113 §8.2.2: fields that never go out on HTTP/2. */
  private static final Set<String> CONNECTION_SPECIFIC =
      Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade");

  private static final long SECOND = 1_000_000_000L;

  /** The PING after a shutdown's first GOAWAY; its ACK says the client saw that GOAWAY. */
  private static final long SHUTDOWN_PING = 0x7768_6172_6620_3638L; // "wharf 68" (§6.8)

  private final Http2ServerSettings settings;
  private final Http2Requests requests;
  private final ConnectionPreface preface = new ConnectionPreface();
  private final Http2FrameDecoder decoder =
      new Http2FrameDecoder(Http2FrameDecoder.Limits.defaults(), false);
  private final Http2FrameEncoder encoder = new Http2FrameEncoder();
  private final HpackDecoder hpackDecoder;
  private final HpackEncoder hpackEncoder = new HpackEncoder(HpackEncoder.DEFAULT_TABLE_SIZE);
  private final StreamIds streamIds = new StreamIds(true);
  private final SendWindows sendWindows = new SendWindows();
  private final ReceiveWindow receiveWindow =
      new ReceiveWindow(0, SendWindows.DEFAULT_WINDOW, MAX_STREAM_WINDOW);
  private final Map<Integer, Http2ServerStream> streams = new HashMap<>();
  private final ArrayDeque<Http2ServerStream> ready = new ArrayDeque<>();
  private final RecentStreamIds recentlyReset = new RecentStreamIds(RESET_MEMORY);
  private final RecentStreamIds recentlyClosed = new RecentStreamIds(RESET_MEMORY);
  private int closedButHeld; // streams in the map that are closed on the wire (holdAfterClose)
  private final ByteBuffer frameHeader = ByteBuffer.allocate(FrameType.HEADER_BYTES);
  private final ByteBuffer control = ByteBuffer.allocate(64);

  /**
   * HEADERS frames are built here and copied into the connection's queue: a buffer per response was
   * among the largest allocations of a JFR profile of static files over h2c. Made on first use, so
   * an idle connection does not hold it; a block past its size gets a buffer of its own.
   */
  private static final int HEADERS_SCRATCH_BYTES = 512;

  private ByteBuffer headersScratch;

  // Output handed over by handlers on other threads (handOver); the flag is set while a task to
  // take it over is on its way to the loop.
  private final ConcurrentLinkedQueue<HandedOver> handedOver = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean takeOverScheduled = new AtomicBoolean();
  private final Runnable takeOver = this::takeOverHanded;

  /** Items are being taken over: streams queue output without a pump each (one pump after). */
  private boolean takingOver;

  private Connection connection;
  private dev.wharf.core.Cancellable stallCheck;
  private dev.wharf.core.Cancellable settingsDeadline;
  private dev.wharf.core.Cancellable shutdownPingDeadline;
  private boolean pumping;

  /** A GOAWAY with the real last stream id went out: later streams are refused. */
  private boolean goAwaySent;

  /** A shutdown's first GOAWAY (last stream 2^31-1) went out; the second waits for the PING. */
  private boolean draining;

  private boolean closing;
  private boolean inputDone;
  private boolean idleCheckPending;
  private long idleSinceNanos;

  // Flood accounting, over one-second windows of the loop's clock.
  private long windowStartNanos;
  private int controlFrames;
  private int resets;

  public Http2ServerConnection(Http2ServerSettings settings, Http2Requests requests) {
    this.settings = settings;
    this.requests = requests;
    this.hpackDecoder =
        new HpackDecoder(HpackEncoder.DEFAULT_TABLE_SIZE, settings.maxHeaderListSize());
  }

  @Override
  public String name() {
    return "h2";
  }

  Connection connection() {
    return connection;
  }

  // ---- the connection's life ----

  @Override
  public void opened(Connection c) {
    this.connection = c;
    // RFC 9113 §3.4: the server's preface is a SETTINGS frame, sent first.
    Http2Settings ours =
        new Http2Settings()
            .set(Http2Settings.ENABLE_PUSH, 0)
            .set(Http2Settings.MAX_CONCURRENT_STREAMS, settings.maxConcurrentStreams())
            .set(Http2Settings.INITIAL_WINDOW_SIZE, settings.initialWindowSize())
            .set(Http2Settings.MAX_HEADER_LIST_SIZE, settings.maxHeaderListSize());
    ByteBuffer out = ByteBuffer.allocate(FrameType.HEADER_BYTES + ours.payloadBytes() + 13);
    encoder.writeSettings(out, ours);
    // The connection's window starts at 65,535 whatever SETTINGS say (§6.9.2): raise it.
    int increment = receiveWindow.growTo(settings.connectionWindow());
    if (increment > 0) {
      encoder.writeWindowUpdate(out, 0, increment);
    }
    connection.write(out.flip());
    windowStartNanos = c.nanoTime();
    var weakTls = TlsSession.of(c).flatMap(TlsRequirements::shortfall);
    if (weakTls.isPresent()) {
      // RFC 9113 §9.2: a connection below the TLS floor ends with INADEQUATE_SECURITY.
      connectionError(ErrorCode.INADEQUATE_SECURITY, weakTls.get());
      return;
    }
    // RFC 9113 §6.5.3: a client that never acknowledges our SETTINGS gets SETTINGS_TIMEOUT.
    settingsDeadline = c.schedule(settings.settingsTimeout(), this::settingsTimedOut);
    armIdle();
  }

  private void settingsTimedOut() {
    settingsDeadline = null;
    if (!closing) {
      connectionError(
          ErrorCode.SETTINGS_TIMEOUT,
          "SETTINGS not acknowledged within " + settings.settingsTimeout().toMillis() + " ms");
    }
  }

  @Override
  public void received(Connection c, ByteBuffer data) {
    if (closing) {
      data.position(data.limit());
      return;
    }
    try {
      if (!preface.isRead() && !preface.read(data)) {
        return;
      }
      while (data.hasRemaining() && !closing) {
        try {
          decoder.decode(data, this);
        } catch (Http2Exception e) {
          if (!e.isStreamError()) {
            throw e;
          }
          resetStream(e.streamId(), e.code(), e.getMessage()); // Then read on past that frame.
        }
      }
    } catch (Http2Exception e) {
      connectionError(e.code(), e.getMessage());
    } catch (HpackException e) {
      connectionError(ErrorCode.COMPRESSION_ERROR, e.getMessage());
    }
  }

  @Override
  public void inputClosed(Connection c) {
    inputDone = true;
    for (Http2ServerStream stream : new ArrayList<>(streams.values())) {
      if (!stream.requestEnded) {
        closeStream(stream, new IOException("connection closed before the request ended"));
      }
    }
    closeIfDone();
  }

  /**
   * Graceful shutdown as RFC 9113 §6.8 has it: a first GOAWAY with the largest stream id (no new
   * stream after this, but those in flight are still taken) and a PING; once the PING comes back,
   * or after {@code shutdownPingTimeout}, every stream the client had sent before it has arrived,
   * and a second GOAWAY names the last one. Streams up to it finish (the group's drain bounds how
   * long); later ones are refused; the connection closes with its last stream.
   */
  @Override
  public void shutdownRequested(Connection c) {
    if (draining || goAwaySent || closing) {
      return;
    }
    draining = true;
    byte[] text = "shutting down".getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(2 * FrameType.HEADER_BYTES + 16 + text.length);
    encoder.writeGoAway(out, Integer.MAX_VALUE, ErrorCode.NO_ERROR, ByteBuffer.wrap(text));
    encoder.writePing(out, SHUTDOWN_PING, false);
    connection.write(out.flip());
    shutdownPingDeadline = c.schedule(settings.shutdownPingTimeout(), this::finalGoAway);
  }

  /** The shutdown's second GOAWAY, with the last stream taken. */
  private void finalGoAway() {
    shutdownPingDeadline = null;
    if (closing || goAwaySent) {
      return;
    }
    goAway(ErrorCode.NO_ERROR, "shutting down");
    closeIfDone();
  }

  @Override
  public void writabilityChanged(Connection c, boolean writable) {
    if (writable) {
      pump();
    }
  }

  @Override
  public void closed(Connection c, CloseReason reason) {
    closing = true;
    for (var timer :
        new dev.wharf.core.Cancellable[] {stallCheck, settingsDeadline, shutdownPingDeadline}) {
      if (timer != null) {
        timer.cancel();
      }
    }
    IOException cause = new IOException("connection closed: " + reason);
    for (Http2ServerStream stream : streams.values()) {
      stream.close(cause);
      releaseBudget(stream);
    }
    streams.clear();
    ready.clear();
  }

  @Override
  public void wakeUp(Connection c) {
    idleCheckPending = false;
    if (!streams.isEmpty() || closing) {
      return;
    }
    long left = settings.idleTimeout().toNanos() - (c.nanoTime() - idleSinceNanos);
    if (left > 0) {
      idleCheckPending = true;
      c.wakeUpAt(c.nanoTime() + left);
      return;
    }
    goAway(ErrorCode.NO_ERROR, "idle");
    closing = true;
    c.closeAfterFlush();
  }

  private void armIdle() {
    idleSinceNanos = connection.nanoTime();
    if (!idleCheckPending) {
      idleCheckPending = true;
      connection.wakeUpAt(idleSinceNanos + settings.idleTimeout().toNanos());
    }
  }

  /** After GOAWAY or the peer's FIN, the connection ends with its last stream. */
  private void closeIfDone() {
    if ((goAwaySent || inputDone) && streams.isEmpty() && !closing) {
      closing = true;
      connection.closeAfterFlush();
    }
  }

  // ---- frames from the peer ----

  @Override
  public void onHeaders(int streamId, ByteBuffer fieldBlock, boolean endStream) {
    Http2ServerStream stream = streams.get(streamId);
    if (stream != null) {
      trailers(stream, fieldBlock, endStream);
      return;
    }
    if (!streamIds.isPeerInitiated(streamId) || !streamIds.isIdle(streamId)) {
      hpackDecoder.decode(fieldBlock, (name, value) -> {}); // HPACK's table follows every block.
      if (streamIds.isPeerInitiated(streamId) && wasReset(streamId)) {
        return; // Trailers in flight when we reset the stream (§5.1 "closed").
      }
      if (recentlyClosed.contains(streamId)) {
        // RFC 9113 §5.1: HEADERS on a stream that closed is a connection error STREAM_CLOSED.
        throw Http2Exception.connectionError(
            ErrorCode.STREAM_CLOSED, "HEADERS on closed stream " + streamId);
      }
      // An id of ours, or one the peer skipped (§5.1.1): PROTOCOL_ERROR.
      streamIds.acceptPeerStream(streamId);
      throw Http2Exception.connectionError(
          ErrorCode.PROTOCOL_ERROR, "HEADERS on stream " + streamId + ", never opened");
    }
    streamIds.acceptPeerStream(streamId);
    RequestFields fields = new RequestFields(false);
    HpackDecoder.Outcome outcome = hpackDecoder.decode(fieldBlock, fields);
    if (goAwaySent) {
      // RFC 9113 §6.8: streams above the GOAWAY's last one are not processed. Refused rather
      // than ignored, so that the client can retry it elsewhere at once (§8.7).
      countReset();
      writeRstStream(streamId, ErrorCode.REFUSED_STREAM);
      rememberReset(streamId);
      return;
    }
    if (streams.size() - closedButHeld >= settings.maxConcurrentStreams()) {
      // RFC 9113 §5.1.2: past our limit, a stream is refused; the client may retry it. Streams
      // whose response ended while their handler still runs do not count: the client saw them
      // close, and may open the next (h2load -m 100 was refused a few without this).
      countReset();
      writeRstStream(streamId, ErrorCode.REFUSED_STREAM);
      rememberReset(streamId);
      return;
    }
    stream = open(streamId, endStream);
    String malformed = fields.malformed();
    if (outcome == HpackDecoder.Outcome.HEADER_LIST_TOO_LARGE) {
      stream.head =
          malformed == null ? fields.head() : new RequestHead("GET", "/", VERSION, Headers.EMPTY);
      refuse(stream, 431, "request header fields larger than " + settings.maxHeaderListSize());
      return;
    }
    if (malformed != null) {
      // RFC 9113 §8.1.1: a malformed request is a stream error PROTOCOL_ERROR.
      throw Http2Exception.streamError(streamId, ErrorCode.PROTOCOL_ERROR, malformed);
    }
    RequestHead head = fields.head();
    stream.head = head;
    stream.declaredLength = contentLength(streamId, head);
    if (endStream && stream.declaredLength > 0) {
      throw Http2Exception.streamError(
          streamId, ErrorCode.PROTOCOL_ERROR, "content-length with no DATA");
    }
    Http2Requests.BodyPolicy policy = requests.bodyPolicy(head);
    stream.maxBodyBytes = policy.maxBodyBytes();
    if (stream.declaredLength > policy.maxBodyBytes()) {
      refuse(stream, 413, "request body larger than " + policy.maxBodyBytes() + " bytes");
      return;
    }
    stream.expectsContinue =
        !endStream && head.headers().first("expect").orElse("").equalsIgnoreCase("100-continue");
    if (policy.streamed()) {
      stream.pipe =
          new Pipe(
              settings.initialWindowSize(),
              Math.max(1, settings.initialWindowSize() / 4),
              settings.budget(),
              new BodyFlow(stream));
      stream.dispatched = true;
      if (endStream) {
        stream.requestEnded = true;
        stream.pipe.finish();
      }
      requests.request(stream);
      return;
    }
    if (endStream) {
      requestEnded(stream);
    } else if (stream.expectsContinue) {
      writeContinue(stream); // RFC 9110 §10.1.1: the body is wanted.
    }
  }

  private Http2ServerStream open(int streamId, boolean endStream) {
    Http2ServerStream stream =
        new Http2ServerStream(this, streamId, settings.initialWindowSize(), MAX_STREAM_WINDOW);
    stream.state.receiveHeaders(endStream);
    streams.put(streamId, stream);
    sendWindows.open(streamId);
    return stream;
  }

  private void trailers(Http2ServerStream stream, ByteBuffer fieldBlock, boolean endStream) {
    RequestFields fields = new RequestFields(true);
    hpackDecoder.decode(fieldBlock, fields); // First: HPACK's table follows every block.
    if (!stream.state.receiveHeaders(endStream)) {
      return;
    }
    int id = stream.id();
    // RFC 9113 §8.1: a second HEADERS is a trailer section and must end the stream.
    if (!endStream) {
      throw Http2Exception.streamError(id, ErrorCode.PROTOCOL_ERROR, "trailers without END_STREAM");
    }
    if (fields.malformed() != null) {
      throw Http2Exception.streamError(id, ErrorCode.PROTOCOL_ERROR, fields.malformed());
    }
    checkLength(stream, true);
    stream.requestTrailers(fields.trailerFields()); // Before a streamed body's reader sees its end.
    requestEnded(stream);
  }

  private static long contentLength(int streamId, RequestHead head) {
    var value = head.headers().first("content-length");
    if (value.isEmpty()) {
      return -1;
    }
    try {
      long length = Long.parseLong(value.get().strip());
      if (length >= 0 && head.headers().count("content-length") == 1) {
        return length;
      }
    } catch (NumberFormatException e) {
      // Malformed, as below.
    }
    throw Http2Exception.streamError(streamId, ErrorCode.PROTOCOL_ERROR, "bad content-length");
  }

  @Override
  public void onData(int streamId, ByteBuffer data, int flowControlledLength, boolean endStream) {
    // RFC 9113 §6.9: all DATA counts against the connection's window, even on a closed stream.
    receiveWindow.receive(flowControlledLength);
    int increment = receiveWindow.consumed(flowControlledLength, connection.nanoTime());
    if (increment > 0) {
      writeWindowUpdate(0, increment);
    }
    if (flowControlledLength == 0 && !endStream) {
      countControlFrame(); // Empty DATA carries nothing: a flood of it is an attack.
    }
    Http2ServerStream stream = streams.get(streamId);
    if (stream == null) {
      if (streamIds.isIdle(streamId)) {
        throw Http2Exception.connectionError(
            ErrorCode.PROTOCOL_ERROR, "DATA on idle stream " + streamId); // §6.1
      }
      if (wasReset(streamId)) {
        return;
      }
      throw Http2Exception.streamError(
          streamId, ErrorCode.STREAM_CLOSED, "DATA on closed stream " + streamId);
    }
    if (!stream.state.receiveData(endStream)) {
      return; // We reset it: what was in flight is dropped.
    }
    stream.receiveWindow.receive(flowControlledLength);
    int n = data.remaining();
    stream.received += n;
    checkLength(stream, endStream);
    int padding = flowControlledLength - n;
    if (stream.discarding) {
      returnWindow(stream, flowControlledLength);
      data.position(data.limit());
    } else if (stream.pipe != null) {
      returnWindow(stream, padding);
      boolean pause = stream.pipe.offer(data);
      if (stream.withheld > 0 || pause) {
        // The reader is behind: the window comes back once it has caught up, so the client
        // sends no faster than the handler reads (never a stop to the socket's reads).
        stream.withheld += n;
      } else {
        returnWindow(stream, n);
      }
    } else {
      bufferBody(stream, data);
      returnWindow(stream, flowControlledLength);
    }
    if (endStream) {
      requestEnded(stream);
    }
  }

  private void bufferBody(Http2ServerStream stream, ByteBuffer data) {
    int n = data.remaining();
    if (stream.received > stream.maxBodyBytes) {
      data.position(data.limit());
      refuse(stream, 413, "request body larger than " + stream.maxBodyBytes + " bytes");
      return;
    }
    if (!settings.budget().tryReserve(n)) {
      data.position(data.limit());
      refuse(stream, 503, "server short of memory for request bodies; retry later");
      return;
    }
    stream.budgeted += n;
    if (stream.body == null) {
      stream.body = new ByteArrayOutputStream(Math.max(n, 256));
    }
    byte[] copy = new byte[n];
    data.get(copy);
    stream.body.writeBytes(copy);
  }

  /** RFC 9113 §8.1.1: DATA that does not add up to content-length makes the request malformed. */
  private static void checkLength(Http2ServerStream stream, boolean endStream) {
    long declared = stream.declaredLength;
    if (declared >= 0
        && (stream.received > declared || (endStream && stream.received != declared))) {
      throw Http2Exception.streamError(
          stream.id(),
          ErrorCode.PROTOCOL_ERROR,
          "content-length " + declared + " but " + stream.received + " bytes of DATA");
    }
  }

  private void returnWindow(Http2ServerStream stream, int bytes) {
    if (bytes <= 0) {
      return;
    }
    int increment = stream.receiveWindow.consumed(bytes, connection.nanoTime());
    if (increment > 0 && stream.state.canReceive()) {
      writeWindowUpdate(stream.id(), increment);
    }
  }

  private void requestEnded(Http2ServerStream stream) {
    stream.requestEnded = true;
    if (stream.pipe != null) {
      stream.pipe.finish();
    } else if (!stream.dispatched && !stream.discarding) {
      stream.dispatched = true;
      requests.request(stream);
    }
  }

  /** A request answered by the server itself; what body it sends is dropped. */
  private void refuse(Http2ServerStream stream, int status, String message) {
    stream.discarding = true;
    if (stream.body != null) {
      stream.body = null;
      releaseBudget(stream);
    }
    if (stream.dispatched) {
      return; // The handler answers; it learns of the refusal from the body it reads.
    }
    stream.dispatched = true;
    requests.refuse(stream, status, message);
  }

  /** The reading side of a streamed body asks for 100 Continue and for more window. */
  private final class BodyFlow implements Pipe.Flow {
    private final Http2ServerStream stream;

    BodyFlow(Http2ServerStream stream) {
      this.stream = stream;
    }

    @Override
    public void firstRead() {
      connection.execute(
          () -> {
            if (stream.expectsContinue && stream.received == 0 && stream.isOpen()) {
              writeContinue(stream);
            }
          });
    }

    @Override
    public void drained() {
      connection.execute(
          () -> {
            int withheld = stream.withheld;
            stream.withheld = 0;
            if (stream.isOpen()) {
              returnWindow(stream, withheld);
            }
          });
    }
  }

  @Override
  public void onPriority(int streamId, int streamDependency, boolean exclusive, int weight) {
    countControlFrame(); // Deprecated (§5.3.2) and ignored: scheduling is round robin.
  }

  @Override
  public void onRstStream(int streamId, int errorCode) {
    Http2ServerStream stream = streams.get(streamId);
    if (stream == null) {
      if (streamIds.isIdle(streamId)) {
        throw Http2Exception.connectionError(
            ErrorCode.PROTOCOL_ERROR, "RST_STREAM on idle stream " + streamId); // §6.4
      }
      return;
    }
    if (!stream.state.receiveRstStream()) {
      return;
    }
    countReset();
    closeStream(stream, new IOException("the client reset the stream: " + errorName(errorCode)));
  }

  @Override
  public void onSettings(Http2Settings peer) {
    countControlFrame();
    peer.get(Http2Settings.HEADER_TABLE_SIZE).ifPresent(hpackEncoder::setPeerMaxTableSize);
    if (peer.has(Http2Settings.INITIAL_WINDOW_SIZE)) {
      sendWindows.initialWindowSize(peer.get(Http2Settings.INITIAL_WINDOW_SIZE).getAsLong());
    }
    if (peer.has(Http2Settings.MAX_FRAME_SIZE)) {
      encoder.maxFrameSize((int) peer.get(Http2Settings.MAX_FRAME_SIZE).getAsLong());
    }
    owe();
    control.clear();
    encoder.writeSettingsAck(control);
    connection.write(control.flip());
    pump(); // A larger window may let blocked streams go on.
  }

  @Override
  public void onSettingsAck() {
    // Our limits were in force from the start: the ACK only stops the SETTINGS_TIMEOUT clock.
    if (settingsDeadline != null) {
      settingsDeadline.cancel();
      settingsDeadline = null;
    }
  }

  @Override
  public void onPushPromise(int streamId, int promisedStreamId, ByteBuffer fieldBlock) {
    // The decoder refuses PUSH_PROMISE from a client (§8.4): never called.
    throw Http2Exception.connectionError(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE from a client");
  }

  @Override
  public void onPing(long data, boolean ack) {
    if (ack) {
      if (data == SHUTDOWN_PING && draining) {
        if (shutdownPingDeadline != null) {
          shutdownPingDeadline.cancel();
        }
        finalGoAway();
      }
      return;
    }
    countControlFrame();
    owe();
    control.clear();
    encoder.writePing(control, data, true);
    connection.write(control.flip());
  }

  @Override
  public void onGoAway(int lastStreamId, int errorCode, ByteBuffer debugData) {
    // The client opens no more streams; the ones open are still answered.
    inputDone = true;
    if (errorCode != ErrorCode.NO_ERROR.code()) {
      LOG.log(
          Level.DEBUG,
          () ->
              "GOAWAY "
                  + errorName(errorCode)
                  + " from "
                  + connection.remoteAddress()
                  + ": "
                  + StandardCharsets.UTF_8.decode(debugData));
    }
    closeIfDone();
  }

  @Override
  public void onWindowUpdate(int streamId, int increment) {
    if (streamId == 0) {
      sendWindows.windowUpdate(0, increment);
      pump();
      return;
    }
    Http2ServerStream stream = streams.get(streamId);
    if (stream == null) {
      if (streamIds.isIdle(streamId)) {
        throw Http2Exception.connectionError(
            ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE on idle stream " + streamId); // §5.1
      }
      return; // It may trail the stream's end (§6.9).
    }
    if (stream.state.receiveWindowUpdate()) {
      sendWindows.windowUpdate(streamId, increment);
      pump();
    }
  }

  @Override
  public void onStreamError(Http2Exception error) {
    resetStream(error.streamId(), error.code(), error.getMessage());
  }

  // ---- streams ----

  private void resetStream(int streamId, ErrorCode code, String why) {
    LOG.log(Level.DEBUG, () -> "RST_STREAM " + streamId + " " + code + ": " + why);
    writeRstStream(streamId, code);
    rememberReset(streamId);
    Http2ServerStream stream = streams.get(streamId);
    if (stream != null) {
      if (stream.state.state() != StreamState.CLOSED) {
        stream.state.sendRstStream();
      }
      closeStream(stream, new IOException("stream reset: " + code + " " + why));
    }
  }

  /** Nothing more goes out on the stream; it is forgotten once its handler is done too. */
  private void closeStream(Http2ServerStream stream, IOException cause) {
    stream.close(cause);
    ready.remove(stream);
    stream.inReadyQueue = false;
    releaseBudget(stream);
    if (!stream.dispatched || stream.responseFinished) {
      forget(stream);
    }
    // A reset stream whose handler still runs keeps counting against the limit: it bounds the
    // work a client can start by resetting streams (CVE-2023-44487).
  }

  /** Called by the stream when its response is complete and its handler done. */
  void finished(Http2ServerStream stream) {
    stream.responseFinished = true;
    releaseBudget(stream);
    if (!stream.isOpen() || stream.state.state() == StreamState.CLOSED) {
      forget(stream);
    }
    // Else it is forgotten once its END_STREAM is out (afterEnd).
  }

  private void afterEnd(Http2ServerStream stream) {
    stream.endSent = true;
    if (stream.state.state() != StreamState.CLOSED) {
      // RFC 9113 §8.1: a response complete before the request's end stops the upload with
      // RST_STREAM NO_ERROR.
      stream.state.sendRstStream();
      writeRstStream(stream.id(), ErrorCode.NO_ERROR);
      rememberReset(stream.id());
      stream.close(new IOException("the response ended before the request"));
    }
    if (stream.responseFinished) {
      forget(stream);
    } else {
      holdAfterClose(stream);
    }
  }

  /** A stream whose END_STREAM is out stays until its handler is done, outside the limit. */
  private void holdAfterClose(Http2ServerStream stream) {
    if (!stream.heldAfterClose && streams.get(stream.id()) == stream) {
      stream.heldAfterClose = true;
      closedButHeld++;
    }
  }

  private void forget(Http2ServerStream stream) {
    if (streams.remove(stream.id(), stream)) {
      if (stream.heldAfterClose) {
        stream.heldAfterClose = false;
        closedButHeld--;
      }
      recentlyClosed.remember(stream.id());
      sendWindows.close(stream.id());
      if (streams.isEmpty()) {
        armIdle();
        closeIfDone();
      }
    }
  }

  private void releaseBudget(Http2ServerStream stream) {
    if (stream.budgeted > 0) {
      settings.budget().release(stream.budgeted);
      stream.budgeted = 0;
    }
  }

  private void rememberReset(int streamId) {
    recentlyReset.remember(streamId);
  }

  private boolean wasReset(int streamId) {
    return recentlyReset.contains(streamId);
  }

  // ---- output ----

  /** The stream queued output (on the loop). */
  void outputQueued(Http2ServerStream stream) {
    if (!stream.inReadyQueue) {
      stream.inReadyQueue = true;
      ready.add(stream);
    }
    if (!takingOver) {
      pump();
    }
  }

  /**
   * Output a handler queued from its own thread (any thread): the loop takes it over in batches,
   * one task for whatever the handlers of all streams queued meanwhile, then sends it in one pump,
   * so that the frames of many streams go out in one gathering write. A task per item (three per
   * static file) made the loop's work grow with the streams rather than with the batches.
   */
  void handOver(Http2ServerStream stream, Http2ServerStream.Output item) {
    handedOver.add(new HandedOver(stream, item));
    if (takeOverScheduled.compareAndSet(false, true)) {
      connection.execute(takeOver);
    }
  }

  private void takeOverHanded() {
    // Cleared before the queue is read: an item added after the last poll schedules a new task.
    takeOverScheduled.set(false);
    takingOver = true;
    try {
      for (HandedOver next; (next = handedOver.poll()) != null; ) {
        next.stream().queueOnLoop(next.item(), -1);
      }
    } finally {
      takingOver = false;
    }
    pump();
  }

  private record HandedOver(Http2ServerStream stream, Http2ServerStream.Output item) {}

  /**
   * Sends what the streams queued, a frame per stream in turn (round robin), while the socket takes
   * it and the windows allow; a stream out of window waits in the queue for a WINDOW_UPDATE.
   */
  private void pump() {
    if (pumping || closing) {
      return;
    }
    pumping = true;
    try {
      boolean progress = true;
      while (progress && !ready.isEmpty() && connection.isWritable()) {
        progress = false;
        for (int n = ready.size(); n > 0 && connection.isWritable(); n--) {
          Http2ServerStream stream = ready.poll();
          progress |= writeSome(stream);
          if (stream.isOpen() && !stream.output.isEmpty()) {
            ready.add(stream);
          } else {
            stream.inReadyQueue = false;
          }
        }
      }
    } finally {
      pumping = false;
    }
  }

  /** Writes the stream's control output and at most one DATA frame; true if anything went. */
  private boolean writeSome(Http2ServerStream stream) {
    boolean progressed = false;
    while (stream.isOpen() && !stream.output.isEmpty()) {
      Http2ServerStream.Output item = stream.output.peek();
      switch (item) {
        case Http2ServerStream.Head head -> {
          stream.output.poll();
          writeResponseHead(stream, head);
          progressed = true;
        }
        case Http2ServerStream.Trailers trailers -> {
          stream.output.poll();
          if (!stream.endSent) {
            writeHeaderBlock(stream, trailerBlock(trailers.headers()), true);
          }
          progressed = true;
        }
        case Http2ServerStream.Reset reset -> {
          stream.output.poll();
          resetStream(stream.id(), reset.code(), "the handler failed");
          return true;
        }
        case Http2ServerStream.Bytes bytes -> {
          ByteBuffer data = bytes.data();
          if (stream.endSent || (!data.hasRemaining() && !bytes.endStream())) {
            stream.output.poll();
            continue;
          }
          int n = sendable(stream, data.remaining());
          if (n < 0) {
            return progressed;
          }
          boolean last = bytes.endStream() && n == data.remaining();
          writeDataHeader(stream, n, last);
          if (n > 0) {
            connection.write(data.slice(data.position(), n));
            data.position(data.position() + n);
            stream.sent(n);
          }
          if (!data.hasRemaining()) {
            stream.output.poll();
          }
          if (last) {
            afterEnd(stream);
          }
          return true;
        }
        case Http2ServerStream.FilePart part -> {
          if (stream.endSent) {
            stream.output.poll();
            closeQuietly(part);
            continue;
          }
          int n = sendable(stream, (int) Math.min(part.count(), Integer.MAX_VALUE));
          if (n < 0) {
            return progressed;
          }
          boolean last = part.endStream() && n == part.count();
          writeDataHeader(stream, n, last);
          if (n > 0) {
            // One lease of the file per frame: the bytes go by sendfile on plaintext.
            connection.writeFile(part.file().lend(), part.position(), n);
          }
          stream.output.poll();
          if (n < part.count()) {
            stream.output.addFirst(
                new Http2ServerStream.FilePart(
                    part.file(), part.position() + n, part.count() - n, part.endStream()));
          } else {
            closeQuietly(part);
          }
          if (last) {
            afterEnd(stream);
          }
          return true;
        }
      }
    }
    return progressed;
  }

  /** What of {@code wanted} bytes one DATA frame may carry now; -1 when out of window. */
  private int sendable(Http2ServerStream stream, int wanted) {
    if (wanted == 0) {
      return 0;
    }
    int n = sendWindows.sendable(stream.id(), Math.min(wanted, encoder.maxFrameSize()));
    if (n > 0) {
      stream.blockedSinceNanos = 0;
      return n;
    }
    if (stream.blockedSinceNanos == 0) {
      stream.blockedSinceNanos = Math.max(1, connection.nanoTime());
      if (stallCheck == null) {
        stallCheck = connection.schedule(Duration.ofSeconds(1), this::checkStalls);
      }
    }
    return -1;
  }

  /**
   * The HTTP/2 slowloris: a client that asks for a response and never opens its window would hold
   * the handler and the stream for ever. A response kept waiting for window past the stall timeout
   * is reset (CANCEL), which wakes its handler and frees the stream.
   */
  private void checkStalls() {
    stallCheck = null;
    if (closing) {
      return;
    }
    long now = connection.nanoTime();
    boolean waiting = false;
    for (Http2ServerStream stream : new ArrayList<>(ready)) {
      if (stream.blockedSinceNanos == 0) {
        continue;
      }
      if (now - stream.blockedSinceNanos >= settings.stallTimeout().toNanos()) {
        resetStream(stream.id(), ErrorCode.CANCEL, "no window for " + settings.stallTimeout());
      } else {
        waiting = true;
      }
    }
    if (waiting) {
      stallCheck = connection.schedule(Duration.ofSeconds(1), this::checkStalls);
    }
  }

  private void writeDataHeader(Http2ServerStream stream, int length, boolean endStream) {
    stream.state.sendData(endStream);
    if (length > 0) {
      sendWindows.consume(stream.id(), length);
    }
    frameHeader.clear();
    encoder.writeDataHeader(frameHeader, stream.id(), length, endStream);
    connection.write(frameHeader.flip());
  }

  private void writeResponseHead(Http2ServerStream stream, Http2ServerStream.Head head) {
    hpackEncoder.beginBlock();
    hpackEncoder.field(":status", Integer.toString(head.status()));
    Headers headers = head.headers();
    for (int i = 0; i < headers.size(); i++) {
      String name = LowercaseNames.of(headers.name(i));
      if (CONNECTION_SPECIFIC.contains(name)
          || (head.contentLength() >= 0 && name.equals("content-length"))) {
        continue;
      }
      hpackEncoder.field(name, headers.value(i));
    }
    if (head.contentLength() >= 0) {
      hpackEncoder.field("content-length", Long.toString(head.contentLength()));
    }
    writeHeaderBlock(stream, hpackEncoder.endBlock(), head.endStream());
  }

  private ByteBuffer trailerBlock(Headers trailers) {
    hpackEncoder.beginBlock();
    for (int i = 0; i < trailers.size(); i++) {
      String name = LowercaseNames.of(trailers.name(i));
      if (!CONNECTION_SPECIFIC.contains(name)) {
        hpackEncoder.field(name, trailers.value(i));
      }
    }
    return hpackEncoder.endBlock();
  }

  private void writeHeaderBlock(Http2ServerStream stream, ByteBuffer block, boolean endStream) {
    stream.state.sendHeaders(endStream);
    ByteBuffer out = headersScratch(encoder.headersBytes(block.remaining()));
    encoder.writeHeaders(out, stream.id(), block, endStream);
    connection.write(out.flip()); // The connection copies: the scratch is free again.
    if (out.capacity() > HEADERS_SCRATCH_BYTES) {
      headersScratch = null; // A rare large block does not stay with the connection.
    }
    if (endStream) {
      afterEnd(stream);
    }
  }

  /** A cleared buffer of at least {@code bytes} for HEADERS frames, reused while small. */
  private ByteBuffer headersScratch(int bytes) {
    if (headersScratch == null || headersScratch.capacity() < bytes) {
      headersScratch = ByteBuffer.allocate(Math.max(bytes, HEADERS_SCRATCH_BYTES));
    }
    return headersScratch.clear();
  }

  private void writeContinue(Http2ServerStream stream) {
    hpackEncoder.beginBlock();
    hpackEncoder.field(":status", "100");
    ByteBuffer block = hpackEncoder.endBlock();
    ByteBuffer out = ByteBuffer.allocate(encoder.headersBytes(block.remaining()));
    encoder.writeHeaders(out, stream.id(), block, false);
    connection.write(out.flip());
    stream.expectsContinue = false;
  }

  private void writeRstStream(int streamId, ErrorCode code) {
    control.clear();
    encoder.writeRstStream(control, streamId, code);
    connection.write(control.flip());
  }

  private void writeWindowUpdate(int streamId, int increment) {
    control.clear();
    encoder.writeWindowUpdate(control, streamId, increment);
    connection.write(control.flip());
  }

  private void goAway(ErrorCode code, String debug) {
    if (goAwaySent) {
      return;
    }
    goAwaySent = true;
    byte[] text = debug.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(FrameType.HEADER_BYTES + 8 + text.length);
    encoder.writeGoAway(out, streamIds.lastPeerStreamId(), code, ByteBuffer.wrap(text));
    connection.write(out.flip());
  }

  /** RFC 9113 §5.4.1: GOAWAY with the code, then close once it is written. */
  private void connectionError(ErrorCode code, String message) {
    LOG.log(
        Level.DEBUG,
        () ->
            "HTTP/2 connection error "
                + code
                + " from "
                + connection.remoteAddress()
                + ": "
                + message);
    goAway(code, message.length() > 200 ? message.substring(0, 200) : message);
    closing = true;
    IOException cause = new IOException("connection error " + code + ": " + message);
    for (Http2ServerStream stream : streams.values()) {
      stream.close(cause);
    }
    ready.clear();
    connection.closeAfterFlush();
  }

  // ---- floods ----

  private void newWindowIfDue() {
    long now = connection.nanoTime();
    if (now - windowStartNanos >= SECOND) {
      windowStartNanos = now;
      controlFrames = 0;
      resets = 0;
    }
  }

  private void countControlFrame() {
    newWindowIfDue();
    if (++controlFrames > MAX_CONTROL_FRAMES_PER_SECOND) {
      throw Http2Exception.connectionError(
          ErrorCode.ENHANCE_YOUR_CALM,
          "more than " + MAX_CONTROL_FRAMES_PER_SECOND + " control frames a second");
    }
  }

  private void countReset() {
    newWindowIfDue();
    if (++resets > MAX_RESETS_PER_SECOND) {
      throw Http2Exception.connectionError(
          ErrorCode.ENHANCE_YOUR_CALM,
          "more than " + MAX_RESETS_PER_SECOND + " streams reset a second");
    }
  }

  /** An ACK is owed: a peer that makes us queue many while it does not read is cut off. */
  private void owe() {
    if (!connection.isWritable() && connection.pendingBytes() > 0) {
      if (++owedWhileBlocked > MAX_OWED_ACKS) {
        throw Http2Exception.connectionError(
            ErrorCode.ENHANCE_YOUR_CALM, "control frames sent while not reading our answers");
      }
    } else {
      owedWhileBlocked = 0;
    }
  }

  private int owedWhileBlocked;

  private static void closeQuietly(Http2ServerStream.FilePart part) {
    try {
      part.file().close();
    } catch (IOException ignored) {
      // Only read; nothing lost.
    }
  }

  private static String errorName(int code) {
    return code >= 0 && code <= ErrorCode.HTTP_1_1_REQUIRED.code()
        ? ErrorCode.of(code).name()
        : "0x" + Integer.toHexString(code);
  }
}
