package dev.wharf.packets.decode;

import java.util.List;
import java.util.Optional;

/**
 * A packet decoded: its layers, outermost first, the last a {@link Layer.Problem} where decoding
 * stopped early; how many bytes were captured and how long the packet was on the wire.
 */
public record DecodedPacket(List<Layer> layers, int capturedLength, int wireLength) {

  public DecodedPacket {
    layers = List.copyOf(layers);
  }

  /** The first layer of this type. */
  public <T extends Layer> Optional<T> layer(Class<T> type) {
    return layers.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /** Where decoding stopped early and why, if it did. */
  public Optional<Layer.Problem> problem() {
    return layer(Layer.Problem.class);
  }
}
