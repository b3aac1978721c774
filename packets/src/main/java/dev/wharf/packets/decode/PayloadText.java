package dev.wharf.packets.decode;

import java.util.Optional;

/**
 * tcpdump's words for what a UDP datagram or a TCP segment carries, for application protocols that
 * this package does not decode itself (DNS, HTTP/1: their codecs live in other modules, which the
 * decoders do not depend on; a caller that has them plugs them in here). Should not throw: a
 * payload it cannot read is empty, or its own "malformed" words (and fields).
 */
@FunctionalInterface
public interface PayloadText {
  /** No words for any payload: the line ends with "UDP, length N" or TCP's length. */
  PayloadText NONE = (transport, data, offset, length) -> Optional.empty();

  /**
   * The words for the payload of {@code transport} ({@link Layer.Udp} or {@link Layer.Tcp}): {@code
   * length} bytes of {@code data} from {@code offset}, as far as the capture kept them. For UDP
   * they replace "UDP, length N" ("1234+ A? example.com. (29)"); for TCP they follow the length
   * after ": " ("HTTP: GET / HTTP/1.1").
   */
  Optional<String> describe(Layer transport, byte[] data, int offset, int length);

  /**
   * The same payload's fields for {@code --json} ({@link PacketJson}), as its layer after the
   * transport's; empty (the default) where this text has none for it.
   */
  default Optional<PayloadFields> fields(Layer transport, byte[] data, int offset, int length) {
    return Optional.empty();
  }
}
