/**
 * WebSocket echo benchmarks: Wharf's server against Netty's, driven by {@code WsLoadGen}, which
 * speaks the frame format itself; and the Netty peer of bench/c10k/run ({@code ChannelsServerMain}:
 * channels' subscribe and publish on Netty, against the real {@code wharf serve --channels}). Not
 * part of the library.
 *
 * <p>Threads: each server runs as its own process on its own event loops; the load generator is one
 * platform thread with one selector; the runner is a program on its {@code main} thread.
 */
package dev.wharf.bench.ws;
