/**
 * How one node serves channels: a {@link dev.wharf.channels.internal.ChannelSession} per WebSocket
 * connection (its state confined to the connection's event loop, fed through its mailbox) and the
 * node's {@link dev.wharf.channels.internal.Hub}, which holds one broker subscription per channel
 * and fans publications out to the local sessions. Not exported.
 */
package dev.wharf.channels.internal;
