package dev.wharf.load.internal;

import dev.wharf.http.h2.frame.ConnectionPreface;
import dev.wharf.http.h2.frame.ErrorCode;
import dev.wharf.http.h2.frame.Http2Exception;
import dev.wharf.http.h2.frame.Http2FrameDecoder;
import dev.wharf.http.h2.frame.Http2FrameEncoder;
import dev.wharf.http.h2.frame.Http2FrameListener;
import dev.wharf.http.h2.frame.Http2Settings;
import dev.wharf.http.h2.hpack.HeaderSink;
import dev.wharf.http.h2.hpack.HpackDecoder;
import dev.wharf.http.h2.hpack.HpackException;
import dev.wharf.load.ErrorKind;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * HTTP/2 (RFC 9113), cleartext with prior knowledge or over TLS with ALPN h2, as h2load loads a
 * server: each request is a stream of its own, up to the plan's depth of them in flight on one
 * connection (fewer if the server's SETTINGS_MAX_CONCURRENT_STREAMS says so), and a stream that
 * ends is replaced at once. Every request is the same HEADERS frame (its field block encoded once
 * for the run, {@link Http2Requests}), then the body in DATA frames within the server's
 * flow-control windows. What the server sends is read with the HTTP module's frame and HPACK
 * decoders; its SETTINGS and PINGs are answered, and our receive windows are opened wide once and
 * topped up so that they never hold a response back.
 *
 * <p>Answers come in any order: each stream remembers its connection's slot. A stream the server
 * resets is an error of that request only ({@code reset}); a GOAWAY lets the streams it took
 * finish, gives up the others without an error (the next connection sends them), and the connection
 * opens again.
 *
 * <p>Not thread-safe: the connection's worker thread owns it.
 */
final class Http2Exchange extends Exchange implements Http2FrameListener, HeaderSink {
  /** Our SETTINGS_INITIAL_WINDOW_SIZE and connection window: the largest there is (§6.9.1). */
  private static final int WIDE_OPEN = Integer.MAX_VALUE;

  /** The connection window's start (§6.9.2), before our first WINDOW_UPDATE opens it. */
  private static final int DEFAULT_WINDOW = 65_535;

  /** DATA received before the connection window is topped up again: well inside WIDE_OPEN. */
  private static final int TOP_UP_AFTER = 1 << 30;

  /** A response's header list may be this long (decoded); our SETTINGS say so. */
  private static final int MAX_HEADER_LIST = 256 * 1024;

  /** The last stream id a client may use (§5.1.1: odd, below 2^31). */
  private static final int LAST_STREAM_ID = Integer.MAX_VALUE;

  private final Http2FrameEncoder encoder = new Http2FrameEncoder();
  private final Outbound out = new Outbound();

  /** This connection's views of the shared request bytes: nothing wrapped per request. */
  private final ByteBuffer firstBlock;

  private final ByteBuffer block;
  private final ByteBuffer body;

  /**
   * The slot of a stream, at {@code (id >>> 1) & mask}: a stream's own entry unless a much later
   * one took it (then {@link #slotOf} looks through the slots).
   */
  private final int[] slotByStream;

  /** Per slot: the stream that holds it (0: none), its final status, what of its body is unsent. */
  private final int[] streamOf;

  private final int[] statusOf;
  private final int[] bodySent;
  private final long[] sendWindowOf;

  /** Slots whose bodies wait for a flow-control window, in the order they were issued. */
  private final int[] waiting;

  private int waitingHead;
  private int waitingCount;

  private Http2FrameDecoder decoder;
  private HpackDecoder hpack;
  private int nextStreamId;
  private boolean settingsSeen;
  private boolean nothingReadYet;
  private boolean goingAway;
  private long maxConcurrentStreams;
  private long peerInitialWindow;
  private long connectionSendWindow;
  private long receivedSinceTopUp;

  /** The :status of the field block being decoded; 0 if it has none. */
  private int blockStatus;

  Http2Exchange(Connection connection, Http2Requests requests, int depth) {
    super(connection);
    this.streamOf = new int[depth];
    this.statusOf = new int[depth];
    this.bodySent = new int[depth];
    this.sendWindowOf = new long[depth];
    this.waiting = new int[depth];
    this.firstBlock = ByteBuffer.wrap(requests.firstBlock());
    this.block = ByteBuffer.wrap(requests.block());
    this.body = ByteBuffer.wrap(requests.body());
    this.slotByStream = new int[Integer.highestOneBit(Math.max(1, depth - 1)) << 2];
    reset();
  }

  @Override
  boolean answersInOrder() {
    return false;
  }

  @Override
  int room() {
    return goingAway ? 0 : (int) Math.min(Integer.MAX_VALUE, maxConcurrentStreams);
  }

  /**
   * The connection preface, our SETTINGS (no push; stream windows wide open) and a WINDOW_UPDATE
   * that opens the connection's window as wide. The connection opens when the server's SETTINGS
   * come (§3.4: its first frame), so that its limits are known before the first request.
   */
  @Override
  void start() {
    var settings =
        new Http2Settings()
            .set(Http2Settings.ENABLE_PUSH, 0)
            .set(Http2Settings.INITIAL_WINDOW_SIZE, WIDE_OPEN)
            .set(Http2Settings.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST);
    ByteBuffer frames = out.room(ConnectionPreface.length() + 9 + settings.payloadBytes() + 13);
    ConnectionPreface.write(frames);
    encoder.writeSettings(frames, settings);
    encoder.writeWindowUpdate(frames, 0, WIDE_OPEN - DEFAULT_WINDOW);
    out.wrote(frames);
  }

  @Override
  void issue(int slot) {
    int streamId = nextStreamId;
    nextStreamId += 2;
    if (nextStreamId < 0 || nextStreamId > LAST_STREAM_ID - 2) {
      goingAway = true; // stream ids run out (§5.1.1): this connection takes no more requests
    }
    streamOf[slot] = streamId;
    statusOf[slot] = 0;
    slotByStream[(streamId >>> 1) & (slotByStream.length - 1)] = slot;
    ByteBuffer fields = (streamId == 1 ? firstBlock : block).clear(); // the first on its connection
    boolean hasBody = body.capacity() > 0;
    ByteBuffer frames = out.room(encoder.headersBytes(fields.remaining()));
    encoder.writeHeaders(frames, streamId, fields, !hasBody);
    out.wrote(frames);
    if (hasBody) {
      bodySent[slot] = 0;
      sendWindowOf[slot] = peerInitialWindow;
      waiting[(waitingHead + waitingCount++) % waiting.length] = slot;
      sendBodies();
    }
  }

  /** Sends what the windows allow of the waiting bodies, oldest first. */
  private void sendBodies() {
    while (waitingCount > 0) {
      int slot = waiting[waitingHead];
      if (streamOf[slot] == 0) {
        dropWaiting(); // reset meanwhile
        continue;
      }
      int left = body.capacity() - bodySent[slot];
      int n =
          (int)
              Math.min(
                  Math.min(left, encoder.maxFrameSize()),
                  Math.min(connectionSendWindow, sendWindowOf[slot]));
      if (n <= 0) {
        return;
      }
      ByteBuffer frames = out.room(9 + n);
      body.clear().position(bodySent[slot]).limit(bodySent[slot] + n);
      encoder.writeData(frames, streamOf[slot], body, n == left);
      out.wrote(frames);
      bodySent[slot] += n;
      connectionSendWindow -= n;
      sendWindowOf[slot] -= n;
      if (n == left) {
        dropWaiting();
      }
    }
  }

  private void dropWaiting() {
    waitingHead = (waitingHead + 1) % waiting.length;
    waitingCount--;
  }

  @Override
  ByteBuffer outbound(int max) {
    return out.next(max);
  }

  @Override
  void sent(int n) {
    out.sent(n);
  }

  @Override
  void received(ByteBuffer data) throws IOException {
    boolean first = nothingReadYet;
    nothingReadYet = false;
    if (first && answersInHttp1(data)) {
      throw new LoadFailure(
          ErrorKind.PROTOCOL,
          "the server answered in HTTP/1, not HTTP/2 (it takes no HTTP/2 by prior knowledge;"
              + " without --http2 it gets HTTP/1.1)");
    }
    try {
      decoder.decode(data, this);
    } catch (Http2Exception | HpackException e) {
      String said = e.getMessage();
      throw new LoadFailure(
          ErrorKind.PROTOCOL,
          settingsSeen
              ? "HTTP/2: " + said
              : "the server does not speak HTTP/2 (" + said + ")"); // an HTTP/1 answer, say
    }
    if (receivedSinceTopUp >= TOP_UP_AFTER) {
      windowUpdate(0, (int) receivedSinceTopUp);
      receivedSinceTopUp = 0;
    }
  }

  /** Whether the server's first bytes are an HTTP/1 status line, not a SETTINGS frame's header. */
  private static boolean answersInHttp1(ByteBuffer data) {
    int at = data.position();
    return data.remaining() >= 5
        && data.get(at) == 'H'
        && data.get(at + 1) == 'T'
        && data.get(at + 2) == 'T'
        && data.get(at + 3) == 'P'
        && data.get(at + 4) == '/';
  }

  @Override
  void endOfStream() throws IOException {
    if (connection.inFlight() > 0 || !settingsSeen) {
      throw new LoadFailure(
          ErrorKind.CLOSED,
          goingAway ? "the server closed after GOAWAY" : "the server closed the connection");
    }
  }

  @Override
  void reset() {
    decoder = new Http2FrameDecoder(Http2FrameDecoder.Limits.defaults(), false);
    hpack = new HpackDecoder(4096, MAX_HEADER_LIST);
    encoder.maxFrameSize(Http2FrameDecoder.Limits.defaults().maxFrameSize());
    out.clear();
    java.util.Arrays.fill(streamOf, 0);
    waitingHead = 0;
    waitingCount = 0;
    nextStreamId = 1;
    settingsSeen = false;
    nothingReadYet = true;
    goingAway = false;
    maxConcurrentStreams = Long.MAX_VALUE;
    peerInitialWindow = DEFAULT_WINDOW;
    connectionSendWindow = DEFAULT_WINDOW;
    receivedSinceTopUp = 0;
  }

  // ---- frames from the server ----

  @Override
  public void onData(int streamId, ByteBuffer data, int flowControlledLength, boolean endStream) {
    receivedSinceTopUp += flowControlledLength;
    if (endStream) {
      ended(streamId);
    }
  }

  @Override
  public void onHeaders(int streamId, ByteBuffer fieldBlock, boolean endStream) {
    blockStatus = 0;
    if (hpack.decode(fieldBlock, this) == HpackDecoder.Outcome.HEADER_LIST_TOO_LARGE) {
      failStream(streamId, ErrorKind.PROTOCOL, "a response's header list is over 256 KiB");
      return;
    }
    int slot = slotOf(streamId);
    if (slot < 0) {
      return; // a stream given up already (GOAWAY)
    }
    if (statusOf[slot] == 0 && blockStatus >= 200) {
      statusOf[slot] = blockStatus; // the final response; 1xx ones come before it
    }
    if (endStream) {
      ended(streamId);
    }
  }

  @Override
  public void field(String name, String value) {
    if (name.equals(":status") && value.length() == 3) {
      try {
        blockStatus = Integer.parseInt(value);
      } catch (NumberFormatException notANumber) {
        blockStatus = 0;
      }
    }
  }

  /** A stream ended (END_STREAM): its request has its whole answer. */
  private void ended(int streamId) {
    int slot = slotOf(streamId);
    if (slot < 0) {
      return;
    }
    streamOf[slot] = 0;
    if (statusOf[slot] == 0) {
      connection.requestFailed(slot, ErrorKind.PROTOCOL, "a stream ended without a :status");
    } else {
      connection.answered(slot, statusOf[slot]);
    }
    closeIfDone();
  }

  /**
   * A connection that takes no more streams (GOAWAY, or its stream ids ran out) closes once its
   * last one ended, and another opens: a server may leave it open after its GOAWAY.
   */
  private void closeIfDone() {
    if (goingAway && connection.inFlight() == 0) {
      connection.closeAfterAnswer();
    }
  }

  @Override
  public void onPriority(int streamId, int streamDependency, boolean exclusive, int weight) {}

  @Override
  public void onRstStream(int streamId, int errorCode) {
    failStream(streamId, ErrorKind.RESET, "the server reset a stream: " + ErrorCode.of(errorCode));
  }

  private void failStream(int streamId, ErrorKind kind, String why) {
    int slot = slotOf(streamId);
    if (slot >= 0) {
      streamOf[slot] = 0;
      connection.requestFailed(slot, kind, why);
      closeIfDone();
    }
  }

  @Override
  public void onSettings(Http2Settings settings) {
    settings.get(Http2Settings.MAX_CONCURRENT_STREAMS).ifPresent(max -> maxConcurrentStreams = max);
    settings.get(Http2Settings.MAX_FRAME_SIZE).ifPresent(size -> encoder.maxFrameSize((int) size));
    settings
        .get(Http2Settings.INITIAL_WINDOW_SIZE)
        .ifPresent(
            size -> {
              // §6.9.2: the change applies to every open stream's window, up or down.
              for (int slot = 0; slot < streamOf.length; slot++) {
                sendWindowOf[slot] += size - peerInitialWindow;
              }
              peerInitialWindow = size;
            });
    ByteBuffer frame = out.room(9);
    encoder.writeSettingsAck(frame);
    out.wrote(frame);
    sendBodies();
    if (!settingsSeen) {
      settingsSeen = true;
      connection.open();
    }
  }

  @Override
  public void onSettingsAck() {}

  @Override
  public void onPushPromise(int streamId, int promisedStreamId, ByteBuffer fieldBlock) {
    // Never called: our SETTINGS turned push off, and the decoder refuses a PUSH_PROMISE.
  }

  @Override
  public void onPing(long data, boolean ack) {
    if (!ack) {
      ByteBuffer frame = out.room(17);
      encoder.writePing(frame, data, true);
      out.wrote(frame);
    }
  }

  /**
   * The server goes away: the streams up to {@code lastStreamId} are answered as usual, the others
   * it never took are given up (sent again by the next connection), and no new one starts. An error
   * code other than NO_ERROR is the server's complaint, counted as such.
   */
  @Override
  public void onGoAway(int lastStreamId, int errorCode, ByteBuffer debugData) {
    if (errorCode != ErrorCode.NO_ERROR.code()) {
      var debug = new byte[debugData.remaining()];
      debugData.get(debug);
      throw Http2Exception.connectionError(
          ErrorCode.of(errorCode),
          "the server sent GOAWAY "
              + ErrorCode.of(errorCode)
              + (debug.length > 0
                  ? ": " + new String(debug, java.nio.charset.StandardCharsets.UTF_8)
                  : ""));
    }
    goingAway = true;
    for (int slot = 0; slot < streamOf.length; slot++) {
      if (streamOf[slot] > lastStreamId) {
        streamOf[slot] = 0;
        connection.requestNotTaken(slot);
      }
    }
    closeIfDone();
  }

  @Override
  public void onWindowUpdate(int streamId, int increment) {
    if (streamId == 0) {
      connectionSendWindow += increment;
    } else {
      int slot = slotOf(streamId);
      if (slot >= 0) {
        sendWindowOf[slot] += increment;
      }
    }
    sendBodies();
  }

  @Override
  public void onStreamError(Http2Exception error) {
    ByteBuffer frame = out.room(13);
    encoder.writeRstStream(frame, error.streamId(), error.code());
    out.wrote(frame);
    failStream(error.streamId(), ErrorKind.PROTOCOL, "HTTP/2: " + error.getMessage());
  }

  private void windowUpdate(int streamId, int increment) {
    ByteBuffer frame = out.room(13);
    encoder.writeWindowUpdate(frame, streamId, increment);
    out.wrote(frame);
  }

  /** The slot of a stream in flight, or -1. */
  private int slotOf(int streamId) {
    int hashed = slotByStream[(streamId >>> 1) & (slotByStream.length - 1)];
    if (streamOf[hashed] == streamId) {
      return hashed;
    }
    for (int slot = 0; slot < streamOf.length; slot++) {
      if (streamOf[slot] == streamId) {
        return slot;
      }
    }
    return -1;
  }

  /** What the connection has to send: frames appended at the end, sent from the start. */
  private static final class Outbound {
    private byte[] bytes = new byte[4096];
    private ByteBuffer writer = ByteBuffer.wrap(bytes);
    private ByteBuffer reader = ByteBuffer.wrap(bytes);
    private int start;
    private int end;

    /** A buffer to write at most {@code n} bytes into, at the end; give it back to wrote. */
    ByteBuffer room(int n) {
      if (end + n > bytes.length) {
        int pending = end - start;
        byte[] into = pending + n > bytes.length ? new byte[(pending + n) * 2] : bytes;
        System.arraycopy(bytes, start, into, 0, pending);
        if (into != bytes) {
          bytes = into;
          writer = ByteBuffer.wrap(bytes);
          reader = ByteBuffer.wrap(bytes);
        }
        start = 0;
        end = pending;
      }
      return writer.limit(end + n).position(end);
    }

    void wrote(ByteBuffer from) {
      end = from.position();
    }

    ByteBuffer next(int max) {
      return reader.limit(start + Math.min(max, end - start)).position(start);
    }

    void sent(int n) {
      start += n;
      if (start == end) {
        start = 0;
        end = 0;
      }
    }

    void clear() {
      start = 0;
      end = 0;
    }
  }
}
