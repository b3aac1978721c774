/**
 * Capture files: pcap and pcapng written ({@link dev.wharf.packets.pcap.CaptureFileWriter},
 * straight from a capture ring's memory) and pcap or pcapng read ({@link
 * dev.wharf.packets.pcap.CaptureFileReader}), as tcpdump and Wireshark write them. Streams only: no
 * threads, no clock. One thread per reader or writer.
 */
package dev.wharf.packets.pcap;
