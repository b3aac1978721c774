/**
 * Packets below the socket API, Linux only: {@link dev.wharf.packets.Pinger} sends ICMP and ICMPv6
 * echo requests through a ping or raw socket, as iputils' ping does; failures the kernel reports
 * come as {@link dev.wharf.packets.PacketSocketException} with their errno.
 */
package dev.wharf.packets;
