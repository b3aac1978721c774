package dev.wharf.channels;

/**
 * One channel as this node sees it, for dashboards and metrics ({@link Channels#activity()}).
 *
 * @param channel its name
 * @param localMembers this node's subscribed clients (and server-side observers)
 * @param publications the publications this node has received for it since it subscribed (a channel
 *     left by its last local member starts again from 0)
 */
public record ChannelActivity(String channel, int localMembers, long publications) {}
