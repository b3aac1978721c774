package dev.wharf.dns.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.Feed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The TCP framing under every feed, heap and direct: the same messages in any pieces. */
class DnsTcpFrameDecoderTest {

  private static byte[] stream(List<Message> messages) {
    var out = new ByteArrayOutputStream();
    for (Message m : messages) {
      ByteBuffer framed = DnsTcpFrameDecoder.frame(DnsMessageWriter.write(m));
      out.write(framed.array(), 0, framed.limit());
    }
    return out.toByteArray();
  }

  private static List<Message> messages() {
    var random = new Random(7766);
    var messages = new ArrayList<Message>();
    messages.add(Samples.everyType());
    for (int i = 0; i < 5; i++) {
      messages.add(DnsMessageRoundTripTest.randomMessage(random));
    }
    return messages;
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void messagesComeOutWholeUnderEveryFeed(Feed feed) {
    List<Message> sent = messages();
    var decoder = new DnsTcpFrameDecoder();
    var received = new ArrayList<Message>();
    feed.feed(
        stream(sent),
        piece -> decoder.decode(piece).forEach(f -> received.add(DnsMessageReader.read(f))));
    assertThat(received).isEqualTo(sent);
    assertThat(decoder.isInsideMessage()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void directBuffersDecodeAsHeapOnes(Feed feed) {
    List<Message> sent = messages();
    var decoder = new DnsTcpFrameDecoder();
    var received = new ArrayList<Message>();
    for (ByteBuffer piece : feed.pieces(stream(sent))) {
      ByteBuffer direct = ByteBuffer.allocateDirect(piece.remaining()).put(piece).flip();
      for (byte[] frame : decoder.decode(direct)) {
        ByteBuffer message = ByteBuffer.allocateDirect(frame.length).put(frame).flip();
        received.add(DnsMessageReader.read(message));
      }
    }
    assertThat(received).isEqualTo(sent);
  }

  @ParameterizedTest
  @EnumSource(Feed.class)
  void aStreamCutInsideAMessageSaysSo(Feed feed) {
    byte[] whole = stream(List.of(Samples.everyType()));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
    var decoder = new DnsTcpFrameDecoder();
    var frames = new ArrayList<byte[]>();
    feed.feed(cut, piece -> frames.addAll(decoder.decode(piece)));
    assertThat(frames).isEmpty();
    assertThat(decoder.isInsideMessage()).isTrue();
  }
}
