package dev.wharf.http.h2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.http.h2.frame.Http2Exception;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every frame received and sent in every state of RFC 9113 §5.1, from two tables: each cell is the
 * state the frame leads to, {@code ignored}, the error it causes ({@code conn CODE}, {@code stream
 * CODE}), or {@code illegal} for a frame we must not send.
 */
class StreamStateMachineTest {
  private static final int STREAM = 3;

  private static final String[] RECEIVED_FRAMES = {
    "H", "H+ES", "D", "D+ES", "RST", "WU", "PRIO", "PP"
  };

  /** Rows: the state before; columns: {@link #RECEIVED_FRAMES}. */
  private static final String RECEIVED =
      """
      IDLE            | OPEN      | HCR    | conn PROTOCOL_ERROR  | conn PROTOCOL_ERROR  | conn PROTOCOL_ERROR | conn PROTOCOL_ERROR | IDLE | RESERVED_REMOTE
      RESERVED_LOCAL  | conn PROTOCOL_ERROR | conn PROTOCOL_ERROR | conn PROTOCOL_ERROR | conn PROTOCOL_ERROR | CLOSED | RESERVED_LOCAL | RESERVED_LOCAL | conn PROTOCOL_ERROR
      RESERVED_REMOTE | HCL       | CLOSED | conn PROTOCOL_ERROR  | conn PROTOCOL_ERROR  | CLOSED | conn PROTOCOL_ERROR | RESERVED_REMOTE | conn PROTOCOL_ERROR
      OPEN            | OPEN      | HCR    | OPEN   | HCR    | CLOSED  | OPEN | OPEN | conn PROTOCOL_ERROR
      HCL             | HCL       | CLOSED | HCL    | CLOSED | CLOSED  | HCL  | HCL  | conn PROTOCOL_ERROR
      HCR             | stream STREAM_CLOSED | stream STREAM_CLOSED | stream STREAM_CLOSED | stream STREAM_CLOSED | CLOSED | HCR | HCR | conn PROTOCOL_ERROR
      CLOSED_ENDS     | conn STREAM_CLOSED | conn STREAM_CLOSED | conn STREAM_CLOSED | conn STREAM_CLOSED | ignored | ignored | CLOSED | conn PROTOCOL_ERROR
      CLOSED_RST_SENT | ignored   | ignored | ignored | ignored | ignored | ignored | CLOSED | conn PROTOCOL_ERROR
      CLOSED_RST_RECV | stream STREAM_CLOSED | stream STREAM_CLOSED | stream STREAM_CLOSED | stream STREAM_CLOSED | ignored | stream STREAM_CLOSED | CLOSED | conn PROTOCOL_ERROR
      """;

  private static final String[] SENT_FRAMES = {"H", "H+ES", "D", "D+ES", "RST", "PP"};

  /** Rows: the state before; columns: {@link #SENT_FRAMES}. */
  private static final String SENT =
      """
      IDLE            | OPEN    | HCL     | illegal | illegal | illegal | RESERVED_LOCAL
      RESERVED_LOCAL  | HCR     | CLOSED  | illegal | illegal | CLOSED  | illegal
      RESERVED_REMOTE | illegal | illegal | illegal | illegal | CLOSED  | illegal
      OPEN            | OPEN    | HCL     | OPEN    | HCL     | CLOSED  | illegal
      HCL             | illegal | illegal | illegal | illegal | CLOSED  | illegal
      HCR             | HCR     | CLOSED  | HCR     | CLOSED  | CLOSED  | illegal
      CLOSED_ENDS     | illegal | illegal | illegal | illegal | CLOSED  | illegal
      CLOSED_RST_SENT | illegal | illegal | illegal | illegal | CLOSED  | illegal
      CLOSED_RST_RECV | illegal | illegal | illegal | illegal | CLOSED  | illegal
      """;

  record Cell(String start, String frame, String expected) {
    @Override
    public String toString() {
      return start + " + " + frame + " -> " + expected;
    }
  }

  static List<Cell> received() {
    return cells(RECEIVED, RECEIVED_FRAMES);
  }

  static List<Cell> sent() {
    return cells(SENT, SENT_FRAMES);
  }

  private static List<Cell> cells(String table, String[] frames) {
    return table
        .lines()
        .flatMap(
            line -> {
              String[] cols = line.split("\\|");
              assertThat(cols).hasSize(frames.length + 1);
              return java.util.stream.IntStream.range(0, frames.length)
                  .mapToObj(i -> new Cell(cols[0].strip(), frames[i], cols[i + 1].strip()));
            })
        .toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("received")
  void eachFrameReceivedInEachState(Cell cell) {
    StreamStateMachine stream = in(cell.start());
    String outcome;
    try {
      outcome = receive(stream, cell.frame()) ? name(stream.state()) : "ignored";
    } catch (Http2Exception e) {
      outcome = (e.isConnectionError() ? "conn " : "stream ") + e.code();
      if (e.isStreamError()) {
        assertThat(e.streamId()).isEqualTo(STREAM);
      }
    }
    assertThat(outcome).isEqualTo(cell.expected());
    if (outcome.equals("ignored")) {
      assertThat(stream.state()).isEqualTo(StreamState.CLOSED);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sent")
  void eachFrameSentInEachState(Cell cell) {
    StreamStateMachine stream = in(cell.start());
    String outcome;
    try {
      send(stream, cell.frame());
      outcome = name(stream.state());
    } catch (IllegalStateException e) {
      outcome = "illegal";
    }
    assertThat(outcome).isEqualTo(cell.expected());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sent")
  void canSendAndCanReceiveFollowTheState(Cell cell) {
    StreamStateMachine stream = in(cell.start());
    Predicate<StreamState> sending =
        s -> s == StreamState.OPEN || s == StreamState.HALF_CLOSED_REMOTE;
    Predicate<StreamState> receiving =
        s -> s == StreamState.OPEN || s == StreamState.HALF_CLOSED_LOCAL;
    assertThat(stream.canSend()).isEqualTo(sending.test(stream.state()));
    assertThat(stream.canReceive()).isEqualTo(receiving.test(stream.state()));
  }

  /** A stream brought to {@code state} by the frames that lead there. */
  static StreamStateMachine in(String state) {
    var stream = new StreamStateMachine(STREAM);
    switch (state) {
      case "IDLE" -> {}
      case "RESERVED_LOCAL" -> stream.sendPushPromise();
      case "RESERVED_REMOTE" -> stream.receivePushPromise();
      case "OPEN" -> stream.receiveHeaders(false);
      case "HCL" -> {
        stream.receiveHeaders(false);
        stream.sendHeaders(true);
      }
      case "HCR" -> stream.receiveHeaders(true);
      case "CLOSED_ENDS" -> {
        stream.receiveHeaders(true);
        stream.sendHeaders(true);
        assertThat(stream.closure()).isEqualTo(StreamStateMachine.Closure.END_STREAMS);
      }
      case "CLOSED_RST_SENT" -> {
        stream.receiveHeaders(false);
        stream.sendRstStream();
        assertThat(stream.closure()).isEqualTo(StreamStateMachine.Closure.RESET_SENT);
      }
      case "CLOSED_RST_RECV" -> {
        stream.receiveHeaders(false);
        stream.receiveRstStream();
        assertThat(stream.closure()).isEqualTo(StreamStateMachine.Closure.RESET_RECEIVED);
      }
      default -> throw new IllegalArgumentException(state);
    }
    assertThat(name(stream.state())).startsWith(state.replaceAll("_(ENDS|RST_.*)$", ""));
    return stream;
  }

  private static boolean receive(StreamStateMachine stream, String frame) {
    return switch (frame) {
      case "H" -> stream.receiveHeaders(false);
      case "H+ES" -> stream.receiveHeaders(true);
      case "D" -> stream.receiveData(false);
      case "D+ES" -> stream.receiveData(true);
      case "RST" -> stream.receiveRstStream();
      case "WU" -> stream.receiveWindowUpdate();
      case "PRIO" -> {
        stream.receivePriority();
        yield true;
      }
      case "PP" -> {
        stream.receivePushPromise();
        yield true;
      }
      default -> throw new IllegalArgumentException(frame);
    };
  }

  private static void send(StreamStateMachine stream, String frame) {
    switch (frame) {
      case "H" -> stream.sendHeaders(false);
      case "H+ES" -> stream.sendHeaders(true);
      case "D" -> stream.sendData(false);
      case "D+ES" -> stream.sendData(true);
      case "RST" -> stream.sendRstStream();
      case "PP" -> stream.sendPushPromise();
      default -> throw new IllegalArgumentException(frame);
    }
  }

  private static String name(StreamState state) {
    return switch (state) {
      case HALF_CLOSED_LOCAL -> "HCL";
      case HALF_CLOSED_REMOTE -> "HCR";
      default -> state.name();
    };
  }
}
