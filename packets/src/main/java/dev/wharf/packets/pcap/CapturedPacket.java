package dev.wharf.packets.pcap;

import java.time.Instant;

/**
 * A captured packet: when, the bytes captured (up to the snap length), and its length on the wire.
 */
public record CapturedPacket(Instant time, byte[] data, int wireLength) {}
