/**
 * The native side of the packets module: libc's socket calls through the foreign-function API
 * ({@code Libc}), socket addresses in C layout ({@code SocketAddresses}) and the ICMP echo socket
 * ({@code IcmpSocket}). Not exported.
 */
package dev.wharf.packets.internal;
