/**
 * The channels protocol's wire format (docs/channels.md), shared by the server and clients: {@link
 * dev.wharf.channels.protocol.RequestDecoder} turns a client's text message into a {@link
 * dev.wharf.channels.protocol.Request}, {@link dev.wharf.channels.protocol.ServerMessages} writes
 * replies and deliveries, {@link dev.wharf.channels.protocol.ServerMessageDecoder} reads them on a
 * client. A codec: no I/O, no threads, no clock; every class is stateless or immutable and may be
 * called from any thread.
 */
package dev.wharf.channels.protocol;
