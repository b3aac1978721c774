package dev.wharf.core;

import java.net.SocketAddress;
import java.time.Instant;

/**
 * A listening endpoint, as {@code wharf sockets --own} shows it.
 *
 * @param transport TCP, UDP or Unix
 * @param address the bound address (with the real port when port 0 was asked for)
 * @param protocol what speaks there
 * @param since when it started listening
 */
public record ListenerInfo(
    Transport transport, SocketAddress address, String protocol, Instant since) {}
