package dev.wharf.packets.pcap;

import java.time.Instant;

/**
 * A captured packet: when, the bytes captured (up to the snap length), its length on the wire, and
 * the interface it was captured on.
 *
 * @param interfaceId the interface's index in {@link CaptureFileReader#interfaces()}: in a pcapng
 *     file, its interface description block's place among all of the file's (counted across
 *     sections, whose own indices start again at 0); 0 in a pcap file and a live capture
 */
public record CapturedPacket(Instant time, byte[] data, int wireLength, int interfaceId) {
  /** A packet of a capture with one interface (pcap, live). */
  public CapturedPacket(Instant time, byte[] data, int wireLength) {
    this(time, data, wireLength, 0);
  }
}
