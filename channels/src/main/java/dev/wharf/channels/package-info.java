/**
 * Channels' public API: {@link dev.wharf.channels.Channels} (the WebSocket endpoint and a publish
 * call for Java code), its {@link dev.wharf.channels.ChannelsConfig}, the {@link
 * dev.wharf.channels.Broker} contract with the values it carries ({@link
 * dev.wharf.channels.Publication}, {@link dev.wharf.channels.StreamPosition}, {@link
 * dev.wharf.channels.History}, {@link dev.wharf.channels.ClientInfo}), the single-node {@link
 * dev.wharf.channels.InMemoryBroker}, and the admission hook {@link
 * dev.wharf.channels.ClientAuthenticator}.
 *
 * <p>Every type here is immutable or thread-safe unless its Javadoc says otherwise.
 */
package dev.wharf.channels;
