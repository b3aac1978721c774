/**
 * Capture files: pcap written ({@link dev.wharf.packets.pcap.PcapWriter}) and pcap or pcapng read
 * ({@link dev.wharf.packets.pcap.CaptureFileReader}), as tcpdump and Wireshark write them. Streams
 * only: no threads, no clock. One thread per reader or writer.
 */
package dev.wharf.packets.pcap;
