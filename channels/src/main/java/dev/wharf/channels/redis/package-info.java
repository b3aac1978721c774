/**
 * The Redis broker: channels shared by every node connected to one Redis server. Offsets, history
 * and presence live in Redis (a hash, a stream and a sorted set per channel, changed by Lua scripts
 * so that each change is atomic); publications reach the nodes over Redis pub/sub, published by the
 * same script that assigns the offset, so pub/sub order is offset order.
 */
package dev.wharf.channels.redis;
