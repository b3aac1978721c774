package dev.wharf.packets.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Takes captured frames where they lie, in the capture ring's memory (a direct buffer over one of
 * its blocks; a heap buffer where a header had to be made), without a copy or an object per frame.
 * The memory is valid only during the call: a consumer that keeps a frame copies it.
 */
@FunctionalInterface
public interface FrameConsumer {
  /**
   * One frame: {@code captured} bytes at index {@code offset} of {@code memory} (its position and
   * limit are not the frame's, and must be left as they are), {@code wire} bytes long on the wire,
   * received at {@code seconds} and {@code nanos} past the epoch.
   *
   * @return false to stop after this frame (-c reached); the next call goes on with the frame after
   */
  boolean accept(ByteBuffer memory, int offset, int captured, int wire, long seconds, int nanos)
      throws IOException;
}
