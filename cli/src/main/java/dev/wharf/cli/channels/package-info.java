/**
 * {@code wharf sub} and {@code wharf pub}: command-line clients of the channels protocol
 * (docs/channels.md), and the options {@code wharf serve --channels} takes.
 *
 * <p>Threads: each command runs on the main thread; a {@link dev.wharf.cli.channels.ChannelLink}'s
 * callbacks (replies, deliveries, lag notices, the close) run on its connection's event loop, which
 * writes what {@code sub} prints; {@code pub} reads stdin on the main thread and waits there for
 * the replies.
 */
package dev.wharf.cli.channels;
